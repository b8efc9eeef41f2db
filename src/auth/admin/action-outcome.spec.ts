import { ALL_STEPS } from '../../users/onboarding/transitions';
import type { UserEntity } from '../../users';
import { actionOutcome, type OutcomeTarget } from './action-outcome';

const ME = 'admin-me';
const at = new Date('2026-01-01T00:00:00Z');

/** A user on a rung, as the row stores it (facts as timestamps, blocks as JSON). */
function user(over: Partial<OutcomeTarget> & { id: string }): OutcomeTarget {
  return { role: 'user', status: 'active', emailVerifiedAt: at, approvedAt: at, mfaEnrolledAt: at, entitled: true, blocks: {}, mfaRequired: false, ...over } as OutcomeTarget;
}
const pending = user({ id: 'pending', status: 'pending_approval', approvedAt: null, mfaEnrolledAt: null, entitled: false });
const active = user({ id: 'active' });
const self = user({ id: ME, role: 'admin' });
const lastAdmin = user({ id: 'last-admin', role: 'admin' });
const suspended = user({ id: 'suspended', status: 'suspended', blocks: { suspended: { kind: 'suspended', by: 'admin', reason: 'x', until: null, at: at.toISOString() } } } as Partial<UserEntity> & { id: string });

/** The outcome of `action` on each of [self, the last admin, a pending user, an active user] (no other active admin). */
const row = (action: Parameters<typeof actionOutcome>[0]) => [self, lastAdmin, pending, active].map((u) => actionOutcome(action, u, ME, 0, ALL_STEPS));

describe('what a bulk action does to each user (the rule the dry run answers with)', () => {
  it('suspend: not oneself, never the last admin, the pending and the active user are suspended', () => {
    expect(row('suspend')).toEqual([
      { outcome: 'refused', code: 'SELF_ACTION_FORBIDDEN' },
      { outcome: 'refused', code: 'LAST_ADMIN' },
      { outcome: 'applied', to: 'suspended' },
      { outcome: 'applied', to: 'suspended' },
    ]);
  });

  it('approve: not oneself; the last admin and the active user are approved already; the pending user moves on', () => {
    expect(row('approve')).toEqual([
      { outcome: 'refused', code: 'SELF_ACTION_FORBIDDEN' },
      { outcome: 'unchanged' },
      { outcome: 'applied', to: 'pending_mfa' },
      { outcome: 'unchanged' },
    ]);
  });

  it('reject: only a verified, unapproved user; an approved one is an illegal transition', () => {
    expect(row('reject')).toEqual([
      { outcome: 'refused', code: 'SELF_ACTION_FORBIDDEN' },
      { outcome: 'refused', code: 'LAST_ADMIN' },
      { outcome: 'applied', to: 'rejected' },
      { outcome: 'refused', code: 'INVALID_TRANSITION' },
    ]);
  });

  it('reactivate: only a suspended user (anyone else is an illegal transition, as on the single route)', () => {
    expect(row('reactivate').map((o) => o.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(row('reactivate')[3]).toEqual({ outcome: 'refused', code: 'INVALID_TRANSITION' });
    expect(actionOutcome('reactivate', suspended, ME, 0, ALL_STEPS)).toEqual({ outcome: 'applied', to: 'active' });
  });

  it('revoke-sessions and require-mfa: allowed on oneself and on the last admin; require-mfa twice is unchanged', () => {
    expect(row('revoke-sessions')).toEqual(Array(4).fill({ outcome: 'applied' }));
    expect(row('require-mfa')).toEqual(Array(4).fill({ outcome: 'applied' }));
    expect(actionOutcome('require-mfa', { ...active, mfaRequired: true }, ME, 0, ALL_STEPS)).toEqual({ outcome: 'unchanged' });
  });

  it('with another active admin, an admin is no longer the last one', () => {
    expect(actionOutcome('suspend', lastAdmin, ME, 1, ALL_STEPS)).toEqual({ outcome: 'applied', to: 'suspended' });
  });

  it('an admin suspension repeated is unchanged; billing’s is replaced by the admin’s', () => {
    expect(actionOutcome('suspend', suspended, ME, 0, ALL_STEPS)).toEqual({ outcome: 'unchanged' });
    const byBilling = { ...suspended, blocks: { suspended: { kind: 'suspended', by: 'billing', reason: null, until: null, at: at.toISOString() } } } as OutcomeTarget;
    expect(actionOutcome('suspend', byBilling, ME, 0, ALL_STEPS)).toEqual({ outcome: 'applied', to: 'suspended' });
  });
});
