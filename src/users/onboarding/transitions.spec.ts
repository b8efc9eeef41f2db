import { USER_STATUSES } from '../../common/user-status';
import { initialStatus, nextStatus, ONBOARDING_EVENTS, PREVIOUS, TRANSITIONS } from './transitions';

describe('onboarding ladder', () => {
  it('climbs pending_verification → pending_approval → pending_mfa → pending_subscription → active', () => {
    expect(nextStatus('pending_verification', 'EMAIL_VERIFIED')).toBe('pending_approval');
    expect(nextStatus('pending_approval', 'APPROVED')).toBe('pending_mfa');
    expect(nextStatus('pending_mfa', 'MFA_ENROLLED')).toBe('pending_subscription');
    expect(nextStatus('pending_subscription', 'SUBSCRIPTION_CREATED')).toBe('active');
  });

  it('never skips a rung or climbs back', () => {
    expect(nextStatus('pending_verification', 'APPROVED')).toBeUndefined();
    expect(nextStatus('pending_approval', 'SUBSCRIPTION_CREATED')).toBeUndefined();
    expect(nextStatus('active', 'EMAIL_VERIFIED')).toBeUndefined();
    expect(nextStatus('rejected', 'APPROVED')).toBeUndefined();
  });

  it('suspends and reinstates; a disabled user comes back only through ENABLED', () => {
    expect(nextStatus('active', 'SUSPENDED')).toBe('suspended');
    expect(nextStatus('suspended', 'REINSTATED')).toBe('active');
    expect(nextStatus('disabled', 'REINSTATED')).toBeUndefined();
    expect(nextStatus('disabled', 'ENABLED', 'active')).toBe('active');
  });

  it('re-enabling restores the status before the disable, so disable-then-enable never skips a rung', () => {
    for (const before of ['pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription', 'suspended', 'rejected'] as const) {
      expect(nextStatus('disabled', 'ENABLED', before)).toBe(before);
    }
    expect(nextStatus('disabled', 'ENABLED', null)).toBe('pending_approval');
    expect(nextStatus('disabled', 'ENABLED', 'disabled')).toBe('pending_approval');
    expect(nextStatus('active', 'ENABLED', 'active')).toBeUndefined();
  });

  it('suspension and disabling revoke tokens; nothing else does', () => {
    expect(ONBOARDING_EVENTS.filter((e) => TRANSITIONS[e].revokesTokens)).toEqual(['SUSPENDED', 'DISABLED']);
  });

  it('only rejects users waiting for approval', () => {
    expect(USER_STATUSES.filter((s) => nextStatus(s, 'REJECTED'))).toEqual(['pending_approval']);
  });

  it('every event leads to a real state that is not one of its sources', () => {
    for (const e of ONBOARDING_EVENTS) {
      const to = TRANSITIONS[e].to;
      if (to === PREVIOUS) continue;
      expect(USER_STATUSES).toContain(to);
      expect(TRANSITIONS[e].from).not.toContain(to);
    }
  });

  it('starts verified users one rung up', () => {
    expect(initialStatus(true)).toBe('pending_approval');
    expect(initialStatus(false)).toBe('pending_verification');
  });
});
