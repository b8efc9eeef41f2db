import { isRecentSignIn, mfaRemovalRefusal, RECENT_SIGN_IN_MS } from './mfa-change-rules';

describe('mfaRemovalRefusal: may the user switch their second factor off?', () => {
  it.each([
    ['pending_verification', false, true, null],
    ['pending_approval', false, true, null],
    ['pending_mfa', false, true, null],
    ['pending_subscription', false, true, 'MFA_REQUIRED_BY_ONBOARDING'],
    ['active', false, true, 'MFA_REQUIRED_BY_ONBOARDING'],
    ['active', false, false, null],
    ['pending_subscription', false, false, null],
    ['pending_approval', true, true, 'MFA_REQUIRED_BY_ADMIN'],
    ['active', true, true, 'MFA_REQUIRED_BY_ADMIN'],
    ['active', true, false, 'MFA_REQUIRED_BY_ADMIN'],
  ] as const)('status %s, mfa_required %s, onboarding MFA step on %s → %s', (status, mfaRequired, mfaStepOn, expected) => {
    expect(mfaRemovalRefusal({ status, mfaRequired }, mfaStepOn)).toBe(expected);
  });
});

describe('isRecentSignIn: does the token prove a sign-in within 5 minutes?', () => {
  const now = 1_700_000_000_000;
  it('a sign-in just now, or exactly 5 minutes ago, is recent', () => {
    expect(isRecentSignIn(now, now)).toBe(true);
    expect(isRecentSignIn(now - RECENT_SIGN_IN_MS, now)).toBe(true);
  });
  it('a sign-in older than 5 minutes is not (a refreshed token keeps its first auth_time)', () => {
    expect(isRecentSignIn(now - RECENT_SIGN_IN_MS - 1, now)).toBe(false);
  });
  it('a token without auth_time is not recent (fail closed)', () => {
    expect(isRecentSignIn(undefined, now)).toBe(false);
    expect(isRecentSignIn(Number.NaN, now)).toBe(false);
  });
  it('a sign-in time within the clock skew ahead is believed, further ahead is not', () => {
    expect(isRecentSignIn(now + 30_000, now)).toBe(true);
    expect(isRecentSignIn(now + 10 * 60_000, now)).toBe(false);
  });
});
