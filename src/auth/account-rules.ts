import { ForbiddenError } from '../common/errors/app-error';
import { blockedStatusCode, type ErrorCode } from '../common/errors/error-codes';
import { BLOCKED_STATUSES, type UserStatus } from '../common/user-status';
import type { UserEntity } from '../users';

/**
 * Gatehouse's own account rules, the same whatever provider reported the facts they judge. Pure functions over the
 * user row (and what the provider reported), applied once, by AuthService and the session admission hook.
 */

/** What the session check concludes about a session seen for the first time (#20.4). */
export type SessionMfaVerdict = 'pass' | 'refuse';

/**
 * Whether a session of this user must be checked against the provider's factor list at its first sight: only where
 * Gatehouse's row says a factor is enrolled. A user with `mfa_required` but no factor yet is held at enrolment
 * (AccountAdministration.requireMfa): refusing their sessions would shut the one way to enrol, so they are not checked.
 */
export function sessionNeedsMfaCheck(user: Pick<UserEntity, 'mfaMethod'>): boolean {
  return user.mfaMethod !== null;
}

/**
 * The verdict on a session of a user whose row says TOTP is enrolled, given whether the provider has TOTP on now
 * (undefined: the provider has no such user). Anything but "on" refuses: the session may have begun without the
 * factor (switched off behind Gatehouse), and a session Gatehouse cannot vouch for is refused (fail closed).
 */
export function sessionMfaVerdict(user: Pick<UserEntity, 'mfaMethod'>, totpOnAtProvider: boolean | undefined): SessionMfaVerdict {
  if (!sessionNeedsMfaCheck(user)) return 'pass';
  return totpOnAtProvider === true ? 'pass' : 'refuse';
}

/**
 * A blocked account (suspended, disabled, rejected) gets nothing from a sign-in, a challenge or a refresh: the refusal
 * (403 with the block's own code) to throw, or null. Providers call this where they first know who signed in, before
 * they issue anything (a challenge session, tokens), so no provider hands a blocked user a credential to discard.
 */
export function signInRefusal(user: Pick<UserEntity, 'status'> | null): ForbiddenError | null {
  if (!user || !BLOCKED_STATUSES.includes(user.status)) return null;
  return new ForbiddenError(blockedStatusCode(user.status) ?? 'FORBIDDEN', 'This account cannot sign in', { status: user.status });
}

/**
 * The audit row of a sign-in refused by signInRefusal once the provider had accepted the password: `login.failed` with
 * the status as the reason and the block's code as the result (the client saw USER_DISABLED, not AUTH_FAILED). The
 * caller adds its actor and writes it after the answer.
 */
export function blockedSignInAudit(
  user: Pick<UserEntity, 'id' | 'status'>,
  refusal: ForbiddenError,
): { userId: string; type: 'login.failed'; detail: { reason: UserStatus }; resultCode: ErrorCode } {
  return { userId: user.id, type: 'login.failed', detail: { reason: user.status }, resultCode: refusal.code };
}
