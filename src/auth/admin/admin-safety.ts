import type { UserStatus } from '../../common/user-status';
import type { Role } from '../../config/config.types';

/** Every administrator action on one user, by the name the admin API gives it. */
export const ADMIN_ACTIONS = [
  'approve',
  'reject',
  'suspend',
  'reactivate',
  'disable',
  'enable',
  'delete',
  'role',
  'require-mfa',
  'reset-password',
  'set-password',
  'update',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/**
 * Actions an administrator may not take on their own account: approving oneself would let a pending account holding
 * the admin role wave itself through, and the others can only lock the one acting out (or hide a compromised admin
 * account's tracks by deleting it). Another administrator must do these.
 */
const NOT_ON_SELF: ReadonlySet<AdminAction> = new Set(['approve', 'reject', 'suspend', 'disable', 'delete', 'role']);

/** Actions that take an active account out of `active` (or out of the admin role). */
const REMOVES_ACTIVE: ReadonlySet<AdminAction> = new Set(['reject', 'suspend', 'disable', 'delete']);

export function selfActionForbidden(actorId: string, targetId: string, action: AdminAction): boolean {
  return actorId === targetId && NOT_ON_SELF.has(action);
}

/**
 * Whether `action` on `target` would leave no active administrator, given how many OTHER active administrators there
 * are. The caller must count them under the lock that serialises admin-set changes, or two admins demoting each
 * other at once would both see one other admin and both succeed.
 */
export function lastAdminAt(target: { role: Role; status: UserStatus }, action: AdminAction, otherActiveAdmins: number, newRole?: Role): boolean {
  if (target.role !== 'admin' || target.status !== 'active' || otherActiveAdmins > 0) return false;
  if (action === 'role') return newRole !== undefined && newRole !== 'admin';
  return REMOVES_ACTIVE.has(action);
}

/** Whether `action` may take an active admin away (the lock is taken only for these). */
export function mayRemoveAdmin(action: AdminAction): boolean {
  return action === 'role' || REMOVES_ACTIVE.has(action);
}
