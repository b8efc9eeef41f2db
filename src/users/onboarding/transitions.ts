import type { UserStatus } from '../../common/user-status';

/**
 * The onboarding ladder as one table. Each event names the states it may fire from and the state it leads to;
 * anything else is refused. The table is the specification: the service turns a row into one conditional UPDATE.
 *
 *   pending_verification → pending_approval → pending_mfa → pending_subscription → active
 *   plus suspended / disabled / rejected off to the side.
 */
export const ONBOARDING_EVENTS = [
  'EMAIL_VERIFIED',
  'APPROVED',
  'MFA_ENROLLED',
  'SUBSCRIPTION_CREATED',
  'SUSPENDED',
  'REINSTATED',
  'DISABLED',
  'ENABLED',
  'REJECTED',
] as const;
export type OnboardingEvent = (typeof ONBOARDING_EVENTS)[number];

/**
 * The `to` of ENABLED: back to the status the user had when disabled (read from the audit trail). A fixed `active`
 * would let disable-then-enable skip approval, MFA and subscription.
 */
export const PREVIOUS = 'previous' as const;

export interface Transition {
  from: readonly UserStatus[];
  to: UserStatus | typeof PREVIOUS;
  /** Also sets the revocation watermark, so tokens issued before stay dead even after a later reinstatement. */
  revokesTokens?: true;
}

const ONBOARDING: readonly UserStatus[] = ['pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription'];

export const TRANSITIONS: Readonly<Record<OnboardingEvent, Transition>> = {
  EMAIL_VERIFIED: { from: ['pending_verification'], to: 'pending_approval' },
  APPROVED: { from: ['pending_approval'], to: 'pending_mfa' },
  MFA_ENROLLED: { from: ['pending_mfa'], to: 'pending_subscription' },
  SUBSCRIPTION_CREATED: { from: ['pending_subscription'], to: 'active' },
  SUSPENDED: { from: ['active', ...ONBOARDING], to: 'suspended', revokesTokens: true },
  REINSTATED: { from: ['suspended'], to: 'active' },
  DISABLED: { from: ['active', 'suspended', 'rejected', ...ONBOARDING], to: 'disabled', revokesTokens: true },
  ENABLED: { from: ['disabled'], to: PREVIOUS },
  REJECTED: { from: ['pending_approval'], to: 'rejected' },
};

/**
 * The next state for `event` from `status`, or undefined when the ladder does not allow it. `previous` is the status
 * before the last disable (only ENABLED uses it).
 */
export function nextStatus(status: UserStatus, event: OnboardingEvent, previous?: UserStatus | null): UserStatus | undefined {
  const t = TRANSITIONS[event];
  if (!t.from.includes(status)) return undefined;
  return t.to === PREVIOUS ? restoredStatus(previous) : t.to;
}

/** Where re-enabling leads: the status before the disable; with no record of it, pending_approval (never active). */
export function restoredStatus(previous: UserStatus | null | undefined): UserStatus {
  return previous && previous !== 'disabled' ? previous : 'pending_approval';
}

/** States that may not use the API at all (403 with their own code). */
export const BLOCKED_STATUSES: readonly UserStatus[] = ['suspended', 'disabled', 'rejected'];

/** Where a just-in-time provisioned user starts: a verified email has already passed the first rung. */
export function initialStatus(emailVerified: boolean): UserStatus {
  return emailVerified ? 'pending_approval' : 'pending_verification';
}
