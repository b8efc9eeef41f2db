import {
  BILLING_STATUSES,
  BLOCKED_STATUSES,
  NOT_DISABLED_STATUSES,
  PAST_MFA_STEP_STATUSES,
  PENDING_STATUSES,
  USER_STATUSES,
  type UserStatus,
} from './user-status';

const sorted = (s: readonly UserStatus[]): UserStatus[] => [...s].sort();

describe('named status sets', () => {
  it('pending, active and blocked partition every status, each once', () => {
    const union = [...PENDING_STATUSES, 'active' as const, ...BLOCKED_STATUSES];
    expect(new Set(union).size).toBe(union.length);
    expect(sorted(union)).toEqual(sorted(USER_STATUSES));
  });

  it('pending statuses are the ladder rungs below active, in ladder order', () => {
    expect(PENDING_STATUSES).toEqual(['pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription']);
  });

  it('blocked statuses are strongest first (the status shows the strongest block)', () => {
    expect(BLOCKED_STATUSES).toEqual(['disabled', 'rejected', 'suspended']);
  });

  it('past the MFA step: the rungs after pending_mfa, and active', () => {
    const after = PENDING_STATUSES.slice(PENDING_STATUSES.indexOf('pending_mfa') + 1);
    expect(sorted(PAST_MFA_STEP_STATUSES)).toEqual(sorted([...after, 'active']));
  });

  it('not disabled: every status but disabled, besides active (which every route admits anyway)', () => {
    expect(sorted(NOT_DISABLED_STATUSES)).toEqual(sorted(USER_STATUSES.filter((s) => s !== 'disabled' && s !== 'active')));
  });

  it('billing routes: from pending_subscription on, and a (billing) suspension', () => {
    expect(sorted(BILLING_STATUSES)).toEqual(['pending_subscription', 'suspended']);
  });
});
