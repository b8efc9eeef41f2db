import { PAST_MFA_STEP_STATUSES, type UserStatus } from '../common/user-status';

/** How recent a sign-in must be to change a second factor where the code cannot be checked (Cognito). */
export const RECENT_SIGN_IN_MS = 5 * 60_000;
/** A sign-in time this far ahead of our clock is clock skew at most; further is not believed. */
const AUTH_TIME_SKEW_MS = 60_000;

/**
 * Whether the user may switch their second factor off, and if not, the code to refuse with (409). An administrator's
 * `mfa_required` keeps its own code. Where this deployment's onboarding requires MFA (ONBOARDING_REQUIRE_MFA), removal
 * past that step is refused too (rather than sending the user back to `pending_mfa`): a factor can still be REPLACED
 * with the current code, never dropped. Where onboarding does not require it, the factor is the user's own choice.
 */
export function mfaRemovalRefusal(user: { status: UserStatus; mfaRequired: boolean }, mfaStepOn: boolean): 'MFA_REQUIRED_BY_ADMIN' | 'MFA_REQUIRED_BY_ONBOARDING' | null {
  if (user.mfaRequired) return 'MFA_REQUIRED_BY_ADMIN';
  if (mfaStepOn && PAST_MFA_STEP_STATUSES.includes(user.status)) return 'MFA_REQUIRED_BY_ONBOARDING';
  return null;
}

/**
 * Whether the token's sign-in (`auth_time`) is recent enough to stand in for the current code. A token that does not
 * say when its sign-in was is not recent (fail closed); a refreshed token keeps its original sign-in time, so a
 * stolen token refreshed for hours never qualifies.
 */
export function isRecentSignIn(authTimeMs: number | undefined, nowMs: number, maxAgeMs = RECENT_SIGN_IN_MS): boolean {
  if (authTimeMs === undefined || !Number.isFinite(authTimeMs)) return false;
  if (authTimeMs > nowMs + AUTH_TIME_SKEW_MS) return false;
  return nowMs - authTimeMs <= maxAgeMs;
}
