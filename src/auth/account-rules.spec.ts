import { USER_STATUSES } from '../common/user-status';
import { blockedSignInAudit, sessionMfaVerdict, sessionNeedsMfaCheck, signInRefusal } from './account-rules';

describe('account rules', () => {
  describe('a session at its first sight (#20.4)', () => {
    it('is checked only where the row says a factor is enrolled', () => {
      expect(sessionNeedsMfaCheck({ mfaMethod: 'totp' })).toBe(true);
      expect(sessionNeedsMfaCheck({ mfaMethod: 'sms' })).toBe(true);
      // mfa_required with no factor yet: held at enrolment, which needs a session.
      expect(sessionNeedsMfaCheck({ mfaMethod: null })).toBe(false);
    });

    it.each([
      ['totp', true, 'pass'],
      ['totp', false, 'refuse'],
      ['totp', undefined, 'refuse'],
      [null, false, 'pass'],
      [null, undefined, 'pass'],
    ] as const)('enrolled %s, TOTP on at the provider %s → %s', (mfaMethod, on, verdict) => {
      expect(sessionMfaVerdict({ mfaMethod }, on)).toBe(verdict);
    });
  });

  describe('a blocked account signs in to nothing', () => {
    it.each([
      ['suspended', 'USER_SUSPENDED'],
      ['disabled', 'USER_DISABLED'],
      ['rejected', 'USER_REJECTED'],
    ] as const)('%s → 403 %s', (status, code) => {
      expect(signInRefusal({ status })).toMatchObject({ status: 403, code });
    });

    it('every other status (and no row yet) is not refused here', () => {
      for (const status of USER_STATUSES.filter((s) => !['suspended', 'disabled', 'rejected'].includes(s))) expect(signInRefusal({ status })).toBeNull();
      expect(signInRefusal(null)).toBeNull();
    });

    it('is audited as login.failed with the status as the reason and the code the client saw', () => {
      const user = { id: 'u1', status: 'suspended' } as const;
      expect(blockedSignInAudit(user, signInRefusal(user)!)).toEqual({ userId: 'u1', type: 'login.failed', detail: { reason: 'suspended' }, resultCode: 'USER_SUSPENDED' });
    });
  });
});
