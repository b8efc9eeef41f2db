/** The onboarding ladder's states, as stored in `auth.user_status`. */
export const USER_STATUSES = [
  'pending_verification',
  'pending_approval',
  'pending_mfa',
  'pending_subscription',
  'active',
  'suspended',
  'disabled',
  'rejected',
] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

// The named partitions of the ladder, written once here (users/onboarding derives the status; routes and rules name
// these sets instead of spelling the literals again). `active` passes every status gate anyway
// (auth/guards/access-rules.ts), so the sets given to @AllowStatus leave it out.

/** The rungs below `active`, in ladder order: a user still onboarding. */
export const PENDING_STATUSES: readonly UserStatus[] = ['pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription'];

/** Blocks laid over the progress, strongest first (users/onboarding's block kinds): refused the API with their own code. */
export const BLOCKS = ['disabled', 'rejected', 'suspended'] as const;
export type BlockedStatus = (typeof BLOCKS)[number];
export const BLOCKED_STATUSES: readonly UserStatus[] = BLOCKS;

/** Past the onboarding MFA step: every user in them was required to enrol a second factor. */
export const PAST_MFA_STEP_STATUSES: readonly UserStatus[] = ['pending_subscription', 'active'];

/** Every status but `disabled` (beside `active`): may still see where they stand and sign out. */
export const NOT_DISABLED_STATUSES: readonly UserStatus[] = [...PENDING_STATUSES, 'suspended', 'rejected'];

/** The user's own billing: from `pending_subscription` on, and suspended (paying is how a billing suspension ends). */
export const BILLING_STATUSES: readonly UserStatus[] = ['pending_subscription', 'suspended'];

export const AUTH_PROVIDERS = ['local', 'cognito', 'oidc', 'bridge', 'dev'] as const;
export type UserAuthProvider = (typeof AUTH_PROVIDERS)[number];
