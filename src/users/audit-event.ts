import type { UserAuthProvider } from '../common/user-status';

/**
 * The closed audit vocabulary of `auth.user_events`: every `type` written by an explicit `recordEvent` (and the other
 * audit rows the services write), and the shapes an `actor` takes. Ladder moves are written as `status.<event>` by
 * users/onboarding and are not listed here.
 */
export const AUDIT_EVENT_TYPES = [
  'admin.attributes_updated',
  'admin.group_added',
  'admin.group_removed',
  'admin.mfa_disabled',
  'admin.mfa_required',
  'admin.password_reset',
  'admin.password_set',
  'admin.provider_tested',
  'admin.reconciled',
  'admin.user.changed',
  'admin.user_created',
  'admin.user_deleted',
  'email.verification_sent',
  'email.verified',
  'login.failed',
  'login.mfa_bypass_refused',
  'login.mfa_challenged',
  'login.mfa_failed',
  'login.mfa_locked',
  'login.new_password_required',
  'login.succeeded',
  'mfa.change_refused',
  'mfa.disabled',
  'mfa.enrollment_started',
  'mfa.recovery_codes_regenerated',
  'password.changed',
  'password.reset',
  'password.reset_requested',
  'profile.synced',
  'refresh.reuse_detected',
  'register.duplicate',
  'register.expired_replaced',
  'register.unverified_replaced',
  'session.mfa_bypass_refused',
  'session.revoked',
  'sessions.revoked',
  'signed_out',
  'token.refreshed',
  'tokens.revoked',
  'user.deleted',
  'user.provisioned',
  'cli.admin_created',
  'mfa.enrolled',
  'mfa.replaced',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
/**
 * Any `type` an audit row may carry: the closed list, a ladder move (`status.<event>`, written by users/onboarding) or
 * a change mirrored from the Cognito console (`cognito.<CloudTrail event name>`).
 */
export type AuditEventName = AuditEventType | `status.${string}` | `cognito.${string}`;

/**
 * Who made a change: the user themself, an administrator (by user id), a provider acting on Gatehouse's behalf, a
 * verified token's provider (just-in-time provisioning), Stripe, the provider console (Cognito events), the CLI or
 * Gatehouse itself (`system`, or `system:<job>`).
 */
export type AuditActor =
  | `user:${string}`
  | `admin:${string}`
  | `provider:${UserAuthProvider}`
  | `token:${string}`
  | 'stripe'
  | 'cognito:console'
  | 'cli'
  | 'system'
  | `system:${string}`;
