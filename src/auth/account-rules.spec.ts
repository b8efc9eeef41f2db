import { sessionMfaVerdict, sessionNeedsMfaCheck } from './account-rules';

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
});
