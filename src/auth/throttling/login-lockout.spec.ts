import { addressDelayS, lockoutLimits, retryAfterS, worthAlerting } from './login-lockout';

const limits = lockoutLimits({ loginMaxAttempts: 10, loginWindowS: 900, loginLockoutS: 900 });
const now = new Date('2025-01-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('login lockout rules', () => {
  it('derives the address threshold and the cap from the configured limits', () => {
    expect(limits).toEqual({ clientMax: 10, windowS: 900, lockoutS: 900, slowAfter: 20, maxDelayS: 30 });
  });

  it('an address is not slowed below the threshold, then waits 1, 2, 4 … seconds, never more than 30', () => {
    expect([0, 19, 20, 21, 22, 24, 25, 40, 10_000].map((f) => addressDelayS(f, limits))).toEqual([0, 0, 1, 2, 4, 16, 30, 30, 30]);
  });

  it('a fresh client on a quiet address goes ahead', () => {
    expect(retryAfterS(null, null, limits, now)).toBe(0);
    expect(retryAfterS({ failures: 9, lastFailureAt: ago(0), lockedUntil: null }, { failures: 19, lastFailureAt: ago(0), lockedUntil: null }, limits, now)).toBe(0);
  });

  it('a locked client waits out its lock, whatever the address does', () => {
    expect(retryAfterS({ failures: 10, lastFailureAt: ago(10), lockedUntil: new Date(now.getTime() + 890_000) }, null, limits, now)).toBe(890);
    expect(retryAfterS({ failures: 10, lastFailureAt: ago(900), lockedUntil: ago(1) }, null, limits, now)).toBe(0);
  });

  it('a slowed address makes every client wait the rest of its delay, and only that', () => {
    const address = { failures: 23, lastFailureAt: ago(3), lockedUntil: null };
    expect(retryAfterS(null, address, limits, now)).toBe(5);
    expect(retryAfterS(null, { ...address, lastFailureAt: ago(8) }, limits, now)).toBe(0);
  });

  it('alerts when a client is locked or the address slows down', () => {
    const quiet = { failures: 1, lastFailureAt: now, lockedUntil: null };
    expect(worthAlerting(quiet, { ...quiet, failures: 19 }, limits)).toBe(false);
    expect(worthAlerting({ ...quiet, failures: 10 }, quiet, limits)).toBe(true);
    expect(worthAlerting(quiet, { ...quiet, failures: 20 }, limits)).toBe(true);
  });
});
