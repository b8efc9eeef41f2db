import { ForbiddenError } from '../../common/errors/app-error';
import type { ErrorCode } from '../../common/errors/error-codes';
import type { Principal } from '../../common/principal';
import type { UserStatus } from '../../common/user-status';
import type { Role } from '../../config/config.types';
import { RejectReason, TokenRejection } from '../tokens/verified-token';

const BLOCKED: Partial<Record<UserStatus, [ErrorCode, string]>> = {
  suspended: ['USER_SUSPENDED', 'This account is suspended'],
  disabled: ['USER_DISABLED', 'This account is disabled'],
  rejected: ['USER_REJECTED', 'This account was not approved'],
};

/**
 * Whether the principal's status may use a route. Routes need `active` unless they allow more; blocked users get
 * their own code, pending users ONBOARDING_INCOMPLETE with the status so a front end knows which step is next.
 * `anyUnblocked` (optional-auth routes) lets every pending status through.
 */
export function assertStatusAllowed(principal: Principal, allowed: readonly UserStatus[], anyUnblocked = false): void {
  const status = principal.status;
  if (status === 'active' || allowed.includes(status)) return;
  const blocked = BLOCKED[status];
  if (blocked) throw new ForbiddenError(blocked[0], blocked[1]);
  if (anyUnblocked) return;
  throw new ForbiddenError('ONBOARDING_INCOMPLETE', 'Finish onboarding first', { status });
}

export function assertRole(principal: Principal, roles: readonly Role[] | undefined): void {
  if (!roles || roles.length === 0 || roles.includes(principal.role)) return;
  throw new ForbiddenError('FORBIDDEN', 'Your role does not allow this', undefined, `role ${principal.role} not in ${roles.join(',')}`);
}

/**
 * ID tokens only on routes marked @AcceptIdToken(). Checked on the verified token, before the principal is resolved:
 * resolving provisions the user from the token's claims, and a refused ID token must change nothing (issue 20.8).
 */
export function assertTokenUse(tokenUse: string, acceptIdToken: boolean): void {
  if (tokenUse === 'id' && !acceptIdToken) throw new TokenRejection(RejectReason.ID_TOKEN_NOT_ACCEPTED);
}
