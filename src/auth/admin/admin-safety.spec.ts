import { USER_STATUSES } from '../../common/user-status';
import { ADMIN_ACTIONS, lastAdminAt, type AdminAction, selfActionForbidden } from './admin-safety';

describe('administrator safety rules', () => {
  describe('an administrator may not act on their own account where it could lock them (or others) out', () => {
    const refusedOnSelf: AdminAction[] = ['approve', 'reject', 'suspend', 'disable', 'delete', 'role'];
    it.each(refusedOnSelf)('%s on oneself is refused', (action) => {
      expect(selfActionForbidden('a', 'a', action)).toBe(true);
    });
    it.each(ADMIN_ACTIONS)('%s on someone else is allowed', (action) => {
      expect(selfActionForbidden('a', 'b', action)).toBe(false);
    });
    it('harmless actions on oneself are allowed (reactivate, enable, require-mfa, profile and password changes)', () => {
      const allowed = ADMIN_ACTIONS.filter((a) => !refusedOnSelf.includes(a));
      expect(allowed.sort()).toEqual(['enable', 'reactivate', 'require-mfa', 'reset-password', 'set-password', 'update'].sort());
      for (const a of allowed) expect(selfActionForbidden('a', 'a', a)).toBe(false);
    });
  });

  describe('there is always at least one active administrator', () => {
    const activeAdmin = { role: 'admin', status: 'active' } as const;
    it.each(['suspend', 'disable', 'delete', 'reject'] as const)('%s of the only active admin is refused; with another admin it is not', (action) => {
      expect(lastAdminAt(activeAdmin, action, 0)).toBe(true);
      expect(lastAdminAt(activeAdmin, action, 1)).toBe(false);
    });
    it('demoting the only active admin is refused, keeping the role is not a demotion', () => {
      expect(lastAdminAt(activeAdmin, 'role', 0, 'auditor')).toBe(true);
      expect(lastAdminAt(activeAdmin, 'role', 0, 'user')).toBe(true);
      expect(lastAdminAt(activeAdmin, 'role', 0, 'admin')).toBe(false);
    });
    it('a target that is not an active admin never counts, whatever the action', () => {
      for (const status of USER_STATUSES.filter((s) => s !== 'active')) {
        for (const action of ADMIN_ACTIONS) expect(lastAdminAt({ role: 'admin', status }, action, 0, 'user')).toBe(false);
      }
      for (const role of ['user', 'auditor'] as const) {
        for (const action of ADMIN_ACTIONS) expect(lastAdminAt({ role, status: 'active' }, action, 0, 'user')).toBe(false);
      }
    });
    it('actions that keep an admin active never trip it', () => {
      for (const action of ['approve', 'reactivate', 'enable', 'require-mfa', 'reset-password', 'set-password', 'update'] as const) {
        expect(lastAdminAt(activeAdmin, action, 0)).toBe(false);
      }
    });
  });
});
