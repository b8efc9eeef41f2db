import { BLOCKS, type UserStatus } from '../../common/user-status';

/**
 * The onboarding ladder, with progress and sanctions kept apart.
 *
 *   pending_verification → pending_approval → pending_mfa → pending_subscription → active
 *   plus suspended / disabled / rejected, which are blocks laid over the progress, never a rung of it.
 *
 * What a user has achieved is stored as facts (email verified, approved, MFA enrolled, entitled) and what holds them
 * back as blocks (`{kind, by, reason, until}`). The status is derived from both, and from which steps this deployment
 * requires, in ONE pure function (`deriveStatus`): lifting a block can only land where the facts say, so a suspension
 * or a disable never skips approval, MFA or payment, and no audit trail is needed to know where to go back to.
 */

/** Progress facts. Recorded in any order: a step already satisfied is passed over when the user reaches it. */
export const FACTS = ['email_verified', 'approved', 'mfa_enrolled', 'entitled'] as const;
export type Fact = (typeof FACTS)[number];
export type ProgressFacts = Readonly<Record<Fact, boolean>>;
/** Facts that can be taken back: a removed second factor, an entitlement that ended. Verification and approval stay. */
export type WithdrawableFact = Extract<Fact, 'mfa_enrolled' | 'entitled'>;

/** Block kinds, strongest first: the status shows the strongest block present. */
export const BLOCK_KINDS = BLOCKS;
export type BlockKind = (typeof BLOCK_KINDS)[number];
/** Who laid a block. Billing may lift only what billing laid. */
export const BLOCK_AUTHORITIES = ['admin', 'billing'] as const;
export type BlockAuthority = (typeof BLOCK_AUTHORITIES)[number];

export interface Block {
  kind: BlockKind;
  by: BlockAuthority;
  reason: string | null;
  /** ISO time the block is meant to end (a timed suspension), or null. Recorded; lifting it is the caller's job. */
  until: string | null;
  /** ISO time it was laid. */
  at: string;
}
/** At most one block of each kind (stored as JSON keyed by kind). */
export type Blocks = Readonly<Partial<Record<BlockKind, Block>>>;

/** Which steps after email verification this deployment requires (ONBOARDING_REQUIRE_*). */
export interface OnboardingSteps {
  approval: boolean;
  mfa: boolean;
  subscription: boolean;
}
export const ALL_STEPS: OnboardingSteps = Object.freeze({ approval: true, mfa: true, subscription: true });

export const NO_FACTS: ProgressFacts = Object.freeze({ email_verified: false, approved: false, mfa_enrolled: false, entitled: false });

/** The one place a status is decided: the strongest block, else the first required step not yet satisfied. */
export function deriveStatus(facts: ProgressFacts, blocks: Blocks, steps: OnboardingSteps): UserStatus {
  const block = BLOCK_KINDS.find((k) => blocks[k] !== undefined);
  if (block) return block;
  if (!facts.email_verified) return 'pending_verification';
  if (steps.approval && !facts.approved) return 'pending_approval';
  if (steps.mfa && !facts.mfa_enrolled) return 'pending_mfa';
  if (steps.subscription && !facts.entitled) return 'pending_subscription';
  return 'active';
}

/** Whether `by` may lift `block`: an administrator lifts anything; billing only what billing laid. */
export function canLift(block: Pick<Block, 'by'>, by: BlockAuthority): boolean {
  return by === 'admin' || block.by === by;
}

export type LadderChange =
  | { op: 'record'; fact: Fact }
  | { op: 'withdraw'; fact: WithdrawableFact }
  | { op: 'block'; kind: BlockKind; by: BlockAuthority; reason?: string | null; until?: string | null }
  | { op: 'unblock'; kind: BlockKind; by: BlockAuthority };

/**
 * Why a change was not made. UNCHANGED: it is already so (a repeated approval, an absent block lifted, a block laid
 * twice). NOT_AWAITING_APPROVAL: only a verified, unapproved user can be rejected, and a rejected one not approved.
 * HELD_BY_ADMIN: billing may not lift (or replace) an administrator's block.
 */
export type Refusal = 'UNCHANGED' | 'NOT_AWAITING_APPROVAL' | 'HELD_BY_ADMIN';

export interface LadderState {
  facts: ProgressFacts;
  blocks: Blocks;
}
export interface PlannedChange extends LadderState {
  /** A block was laid: tokens issued before now stop working (kept through a later lift, so they stay dead). */
  revokesTokens: boolean;
}

/** The state after `change`, or why it is refused. Pure: `at` is the time to stamp on a new block. */
export function planChange(state: LadderState, change: LadderChange, at: string): PlannedChange | { refused: Refusal } {
  const { facts, blocks } = state;
  switch (change.op) {
    case 'record':
      if (facts[change.fact]) return { refused: 'UNCHANGED' };
      if (change.fact === 'approved' && blocks.rejected) return { refused: 'NOT_AWAITING_APPROVAL' };
      return { facts: { ...facts, [change.fact]: true }, blocks, revokesTokens: false };
    case 'withdraw':
      if (!facts[change.fact]) return { refused: 'UNCHANGED' };
      return { facts: { ...facts, [change.fact]: false }, blocks, revokesTokens: false };
    case 'block': {
      const held = blocks[change.kind];
      if (change.kind === 'rejected' && (!facts.email_verified || facts.approved)) return { refused: 'NOT_AWAITING_APPROVAL' };
      // An administrator's block replaces billing's of the same kind (so billing can no longer lift it); nothing else does.
      if (held && !(held.by === 'billing' && change.by === 'admin')) return { refused: held.by === 'admin' && change.by === 'billing' ? 'HELD_BY_ADMIN' : 'UNCHANGED' };
      const block: Block = { kind: change.kind, by: change.by, reason: change.reason ?? null, until: change.until ?? null, at };
      return { facts, blocks: { ...blocks, [change.kind]: block }, revokesTokens: true };
    }
    case 'unblock': {
      const held = blocks[change.kind];
      if (!held) return { refused: 'UNCHANGED' };
      if (!canLift(held, change.by)) return { refused: 'HELD_BY_ADMIN' };
      const rest: Partial<Record<BlockKind, Block>> = { ...blocks };
      delete rest[change.kind];
      return { facts, blocks: rest, revokesTokens: false };
    }
  }
}

/**
 * The ladder's vocabulary: each named event is one change (administrators act as `admin`). Audit rows are typed
 * `status.<event>`; USER_STATUS_CHANGED carries the event.
 */
export const EVENT_CHANGES = {
  EMAIL_VERIFIED: { op: 'record', fact: 'email_verified' },
  APPROVED: { op: 'record', fact: 'approved' },
  MFA_ENROLLED: { op: 'record', fact: 'mfa_enrolled' },
  MFA_REMOVED: { op: 'withdraw', fact: 'mfa_enrolled' },
  SUBSCRIPTION_CREATED: { op: 'record', fact: 'entitled' },
  SUBSCRIPTION_ENDED: { op: 'withdraw', fact: 'entitled' },
  SUSPENDED: { op: 'block', kind: 'suspended', by: 'admin' },
  REINSTATED: { op: 'unblock', kind: 'suspended', by: 'admin' },
  DISABLED: { op: 'block', kind: 'disabled', by: 'admin' },
  ENABLED: { op: 'unblock', kind: 'disabled', by: 'admin' },
  REJECTED: { op: 'block', kind: 'rejected', by: 'admin' },
  REJECTION_LIFTED: { op: 'unblock', kind: 'rejected', by: 'admin' },
} as const satisfies Record<string, LadderChange>;
export type OnboardingEvent = keyof typeof EVENT_CHANGES;
export const ONBOARDING_EVENTS = Object.keys(EVENT_CHANGES) as OnboardingEvent[];

/** The event naming `change` (whoever made it: a billing suspension is still SUSPENDED). */
export function eventOf(change: LadderChange): OnboardingEvent {
  const found = ONBOARDING_EVENTS.find((e) => {
    const c: LadderChange = EVENT_CHANGES[e];
    return c.op === change.op && ('fact' in c ? 'fact' in change && c.fact === change.fact : 'kind' in change && c.kind === change.kind);
  });
  if (!found) throw new Error(`no event for ${JSON.stringify(change)}`);
  return found;
}

/** Where a just-in-time provisioned user starts with every step on: a verified email has passed the first rung. */
export function initialStatus(emailVerified: boolean, steps: OnboardingSteps = ALL_STEPS): UserStatus {
  return deriveStatus({ ...NO_FACTS, email_verified: emailVerified }, {}, steps);
}
