import type { UserAuthProvider } from '../common/user-status';
import type { ErrorCode } from '../common/errors/error-codes';

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
  'audit.exported',
  'audit.read',
  'audit.verified',
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

/** How an audited action ended: done, refused by a rule (with the code the client saw), or failed. */
export const AUDIT_RESULTS = ['success', 'refused', 'error'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/**
 * The event types that record a refusal, and the code the client was refused with. A writer may still say otherwise
 * (`result`/`resultCode` on the event); every other type is a success unless its writer says so.
 */
export const AUDIT_REFUSALS: Partial<Record<AuditEventType, ErrorCode>> = {
  'login.failed': 'AUTH_FAILED',
  'login.mfa_failed': 'MFA_CODE_INVALID',
  'login.mfa_locked': 'RATE_LIMITED',
  'login.mfa_bypass_refused': 'MFA_REQUIRED',
  'session.mfa_bypass_refused': 'MFA_REQUIRED',
  'mfa.change_refused': 'MFA_CODE_INVALID',
  'refresh.reuse_detected': 'REFRESH_TOKEN_INVALID',
};

/** The result an event of `type` records unless its writer names one. */
export function defaultOutcome(type: AuditEventName): { result: AuditResult; code: ErrorCode | null } {
  const code = (AUDIT_REFUSALS as Partial<Record<string, ErrorCode>>)[type];
  return code ? { result: 'refused', code } : { result: 'success', code: null };
}

/** Keys whose string values are credentials: never written to the trail, whoever passes them (a Cognito event's parameters included). */
const SECRET_KEY = /password|secret|token|otp|recoverycode|^code$|^session$/i;

/** `detail` as stored: string values under a credential-like key, at any depth, become `[redacted]`. */
export function redactDetail(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDetail(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = typeof v === 'string' && SECRET_KEY.test(k) ? '[redacted]' : redactDetail(v, depth + 1);
  }
  return out;
}
