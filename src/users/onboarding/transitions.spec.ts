import { BLOCKED_STATUSES, USER_STATUSES, type UserStatus } from '../../common/user-status';
import {
  ALL_STEPS,
  BLOCK_KINDS,
  type Blocks,
  type BlockKind,
  canLift,
  deriveStatus,
  EVENT_CHANGES,
  eventOf,
  FACTS,
  type Fact,
  initialStatus,
  type LadderState,
  NO_FACTS,
  ONBOARDING_EVENTS,
  type OnboardingSteps,
  planChange,
  type ProgressFacts,
} from './transitions';

const AT = '2025-11-30T12:00:00.000Z';
const facts = (...set: Fact[]): ProgressFacts => ({ ...NO_FACTS, ...Object.fromEntries(set.map((f) => [f, true])) });
const blocks = (...kinds: BlockKind[]): Blocks => Object.fromEntries(kinds.map((k) => [k, { kind: k, by: 'admin', reason: null, until: null, at: AT }]));
const steps = (approval: boolean, mfa: boolean, subscription: boolean): OnboardingSteps => ({ approval, mfa, subscription });

/** Every subset of `items`. */
function subsets<T>(items: readonly T[]): T[][] {
  return items.reduce<T[][]>((all, item) => all.concat(all.map((s) => [...s, item])), [[]]);
}
const ALL_FACT_SETS = subsets(FACTS).map((s) => facts(...s));
const ALL_STEP_SETS = subsets(['approval', 'mfa', 'subscription'] as const).map((on) => steps(on.includes('approval'), on.includes('mfa'), on.includes('subscription')));
const ALL_BLOCK_SETS = subsets(BLOCK_KINDS).map((k) => blocks(...k));
/** Each onboarding step: the switch that requires it, the fact that satisfies it, the status that waits for it. */
const STEPS = [
  { step: 'approval', fact: 'approved', waiting: 'pending_approval' },
  { step: 'mfa', fact: 'mfa_enrolled', waiting: 'pending_mfa' },
  { step: 'subscription', fact: 'entitled', waiting: 'pending_subscription' },
] as const;

describe('onboarding ladder: deriveStatus(facts, blocks, steps)', () => {
  describe('reads like the ladder with every step on', () => {
    it.each<[string, ProgressFacts, UserStatus]>([
      ['nothing proved yet', facts(), 'pending_verification'],
      ['address verified', facts('email_verified'), 'pending_approval'],
      ['approved', facts('email_verified', 'approved'), 'pending_mfa'],
      ['second factor enrolled', facts('email_verified', 'approved', 'mfa_enrolled'), 'pending_subscription'],
      ['entitled', facts('email_verified', 'approved', 'mfa_enrolled', 'entitled'), 'active'],
      ['MFA enrolled while waiting for approval: still waits for approval', facts('email_verified', 'mfa_enrolled'), 'pending_approval'],
      ['…then approved: pending_mfa is passed over', facts('email_verified', 'mfa_enrolled', 'approved'), 'pending_subscription'],
      ['entitlement recorded before approval: honoured once approved and enrolled', facts('email_verified', 'entitled', 'approved', 'mfa_enrolled'), 'active'],
      ['entitled and enrolled but unapproved: waits for approval', facts('email_verified', 'entitled', 'mfa_enrolled'), 'pending_approval'],
      ['approved before verifying the address: still waits for verification', facts('approved', 'mfa_enrolled', 'entitled'), 'pending_verification'],
    ])('%s → %s', (_name, f, expected) => {
      expect(deriveStatus(f, {}, ALL_STEPS)).toBe(expected);
    });
  });

  describe('steps switched off are passed over', () => {
    it.each<[string, OnboardingSteps, ProgressFacts, UserStatus]>([
      ['no approval step: verified goes to pending_mfa', steps(false, true, true), facts('email_verified'), 'pending_mfa'],
      ['no MFA step: approved goes to pending_subscription', steps(true, false, true), facts('email_verified', 'approved'), 'pending_subscription'],
      ['no subscription step: enrolled is active', steps(true, true, false), facts('email_verified', 'approved', 'mfa_enrolled'), 'active'],
      ['no steps at all: verified is active', steps(false, false, false), facts('email_verified'), 'active'],
      ['verification is never switched off', steps(false, false, false), facts('approved', 'mfa_enrolled', 'entitled'), 'pending_verification'],
    ])('%s', (_name, s, f, expected) => {
      expect(deriveStatus(f, {}, s)).toBe(expected);
    });
  });

  describe('blocks override progress; the strongest shows', () => {
    it.each<[BlockKind[], UserStatus]>([
      [['suspended'], 'suspended'],
      [['rejected'], 'rejected'],
      [['disabled'], 'disabled'],
      [['suspended', 'rejected'], 'rejected'],
      [['suspended', 'disabled'], 'disabled'],
      [['rejected', 'disabled', 'suspended'], 'disabled'],
    ])('%j → %s', (kinds, expected) => {
      for (const f of ALL_FACT_SETS) expect(deriveStatus(f, blocks(...kinds), ALL_STEPS)).toBe(expected);
    });
  });

  describe(`exhaustively: ${ALL_FACT_SETS.length} fact sets × ${ALL_STEP_SETS.length} step sets × ${ALL_BLOCK_SETS.length} block sets`, () => {
    const cases = ALL_FACT_SETS.flatMap((f) => ALL_STEP_SETS.flatMap((s) => ALL_BLOCK_SETS.map((b) => ({ f, s, b, status: deriveStatus(f, b, s) }))));

    it('is blocked exactly when a block is present, and then shows a block kind', () => {
      for (const { b, status } of cases) expect(BLOCKED_STATUSES.includes(status)).toBe(Object.keys(b).length > 0);
    });

    it('without a block: pending_verification exactly when the address is unverified', () => {
      for (const { f, b, status } of cases) if (Object.keys(b).length === 0) expect(status === 'pending_verification').toBe(!f.email_verified);
    });

    it('never waits on a step that is switched off or already satisfied', () => {
      for (const { f, s, status } of cases) for (const st of STEPS) if (!s[st.step] || f[st.fact]) expect(status).not.toBe(st.waiting);
    });

    it('waits on the FIRST required unsatisfied step, in ladder order', () => {
      for (const { f, s, b, status } of cases) {
        if (Object.keys(b).length > 0 || !f.email_verified) continue;
        const first = STEPS.find((st) => s[st.step] && !f[st.fact]);
        expect(status).toBe(first ? first.waiting : 'active');
      }
    });

    it('is active exactly when verified, unblocked and every required step is satisfied', () => {
      for (const { f, s, b, status } of cases) {
        const complete = f.email_verified && Object.keys(b).length === 0 && STEPS.every((st) => !s[st.step] || f[st.fact]);
        expect(status === 'active').toBe(complete);
      }
    });

    it('recording a fact never moves a user down the ladder', () => {
      const rank = (st: UserStatus) => USER_STATUSES.indexOf(st);
      for (const { f, s, b, status } of cases) for (const fact of FACTS) expect(rank(deriveStatus({ ...f, [fact]: true }, b, s))).toBeGreaterThanOrEqual(rank(status));
    });
  });

  it('provisioning starts verified users one rung up (or further with steps off)', () => {
    expect(initialStatus(true)).toBe('pending_approval');
    expect(initialStatus(false)).toBe('pending_verification');
    expect(initialStatus(true, steps(false, true, true))).toBe('pending_mfa');
  });
});

describe('onboarding ladder: planChange (one change at a time)', () => {
  const state = (f: ProgressFacts, b: Blocks = {}): LadderState => ({ facts: f, blocks: b });
  const statusAfter = (s: LadderState, ...events: Array<keyof typeof EVENT_CHANGES>): UserStatus => {
    let cur = s;
    for (const e of events) {
      const next = planChange(cur, EVENT_CHANGES[e], AT);
      if ('refused' in next) throw new Error(`${e} refused: ${next.refused}`);
      cur = next;
    }
    return deriveStatus(cur.facts, cur.blocks, ALL_STEPS);
  };

  it('suspend → reinstate lands where the progress is, from every rung (never skips a step)', () => {
    for (const f of [facts(), facts('email_verified'), facts('email_verified', 'approved'), facts('email_verified', 'approved', 'mfa_enrolled'), facts('email_verified', 'approved', 'mfa_enrolled', 'entitled')]) {
      const before = deriveStatus(f, {}, ALL_STEPS);
      expect(statusAfter(state(f), 'SUSPENDED')).toBe('suspended');
      expect(statusAfter(state(f), 'SUSPENDED', 'REINSTATED')).toBe(before);
      expect(statusAfter(state(f), 'DISABLED', 'ENABLED')).toBe(before);
      expect(statusAfter(state(f), 'SUSPENDED', 'DISABLED', 'ENABLED')).toBe('suspended');
      expect(statusAfter(state(f), 'SUSPENDED', 'DISABLED', 'ENABLED', 'REINSTATED')).toBe(before);
    }
  });

  it('progress made while blocked shows once the block is lifted', () => {
    expect(statusAfter(state(facts('email_verified')), 'SUSPENDED', 'APPROVED', 'MFA_ENROLLED', 'REINSTATED')).toBe('pending_subscription');
  });

  it('billing can lift only a billing suspension, never an administrator’s', () => {
    const billing = planChange(state(facts('email_verified')), { op: 'block', kind: 'suspended', by: 'billing', reason: 'payment failed' }, AT);
    if ('refused' in billing) throw new Error('billing suspension refused');
    expect(billing.blocks.suspended).toEqual({ kind: 'suspended', by: 'billing', reason: 'payment failed', until: null, at: AT });
    expect(planChange(billing, { op: 'unblock', kind: 'suspended', by: 'billing' }, AT)).toMatchObject({ blocks: {} });

    const admin = state(facts('email_verified'), blocks('suspended'));
    expect(planChange(admin, { op: 'unblock', kind: 'suspended', by: 'billing' }, AT)).toEqual({ refused: 'HELD_BY_ADMIN' });
    expect(planChange(admin, { op: 'block', kind: 'suspended', by: 'billing' }, AT)).toEqual({ refused: 'HELD_BY_ADMIN' });
    expect(planChange(admin, { op: 'unblock', kind: 'suspended', by: 'admin' }, AT)).toMatchObject({ blocks: {} });
    // An administrator suspending a billing-suspended user takes the suspension over: billing can no longer lift it.
    const taken = planChange(billing, { op: 'block', kind: 'suspended', by: 'admin', reason: 'fraud' }, AT);
    expect(taken).toMatchObject({ blocks: { suspended: { by: 'admin', reason: 'fraud' } } });
    expect(canLift({ by: 'admin' }, 'billing')).toBe(false);
    expect(canLift({ by: 'billing' }, 'billing')).toBe(true);
    expect(canLift({ by: 'admin' }, 'admin')).toBe(true);
  });

  it('a change that is already so is refused as UNCHANGED (idempotent callers can tell)', () => {
    expect(planChange(state(facts('email_verified', 'approved')), EVENT_CHANGES.APPROVED, AT)).toEqual({ refused: 'UNCHANGED' });
    expect(planChange(state(facts()), EVENT_CHANGES.MFA_REMOVED, AT)).toEqual({ refused: 'UNCHANGED' });
    expect(planChange(state(facts(), blocks('disabled')), EVENT_CHANGES.DISABLED, AT)).toEqual({ refused: 'UNCHANGED' });
    expect(planChange(state(facts()), EVENT_CHANGES.ENABLED, AT)).toEqual({ refused: 'UNCHANGED' });
  });

  it('rejects only a verified user awaiting approval; a rejected user cannot be approved', () => {
    expect(planChange(state(facts()), EVENT_CHANGES.REJECTED, AT)).toEqual({ refused: 'NOT_AWAITING_APPROVAL' });
    expect(planChange(state(facts('email_verified', 'approved')), EVENT_CHANGES.REJECTED, AT)).toEqual({ refused: 'NOT_AWAITING_APPROVAL' });
    expect(statusAfter(state(facts('email_verified')), 'REJECTED')).toBe('rejected');
    expect(planChange(state(facts('email_verified'), blocks('rejected')), EVENT_CHANGES.APPROVED, AT)).toEqual({ refused: 'NOT_AWAITING_APPROVAL' });
  });

  it('laying a block revokes tokens; nothing else does', () => {
    const s = state(facts('email_verified'));
    const revoking = ONBOARDING_EVENTS.filter((e) => {
      const p = planChange(s, EVENT_CHANGES[e], AT);
      return !('refused' in p) && p.revokesTokens;
    });
    expect(revoking).toEqual(['SUSPENDED', 'DISABLED', 'REJECTED']);
  });

  it('names each change by its event, whoever made it', () => {
    for (const e of ONBOARDING_EVENTS) expect(eventOf(EVENT_CHANGES[e])).toBe(e);
    expect(eventOf({ op: 'block', kind: 'suspended', by: 'billing' })).toBe('SUSPENDED');
  });
});
