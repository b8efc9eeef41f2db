import type { ErrorCode } from '../../common/errors/error-codes';
import type { UserStatus } from '../../common/user-status';
import { deriveStatus, EVENT_CHANGES, ladderStateOf, type OnboardingSteps, planChange, type UserEntity } from '../../users';
import { type AdminAction, lastAdminAt, mayRemoveAdmin, selfActionForbidden } from './admin-safety';

/** The actions POST /admin/users/bulk offers, by the names the single-user routes give them. */
export const BULK_ACTIONS = ['approve', 'reject', 'suspend', 'reactivate', 'revoke-sessions', 'require-mfa'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** What an action does (or would do) to one user. `to`: the status it lands in, when the ladder moves. */
export type Outcome = { outcome: 'applied'; to?: UserStatus } | { outcome: 'unchanged' } | { outcome: 'refused'; code: ErrorCode };

/** The ladder moves behind the actions that have one; `repeatIsFine`: doing it twice is `unchanged`, not a 409. */
const LADDER: Partial<Record<BulkAction, { event: 'APPROVED' | 'REJECTED' | 'SUSPENDED' | 'REINSTATED'; repeatIsFine: boolean }>> = {
  approve: { event: 'APPROVED', repeatIsFine: true },
  reject: { event: 'REJECTED', repeatIsFine: true },
  suspend: { event: 'SUSPENDED', repeatIsFine: true },
  // Reactivating a user who is not suspended is a 409 on the single route, so it is a refusal here too.
  reactivate: { event: 'REINSTATED', repeatIsFine: false },
};

/** The admin-safety name of each action (revoke-sessions is none of them: ending sessions is never forbidden). */
const SAFETY_NAME: Partial<Record<BulkAction, AdminAction>> = { approve: 'approve', reject: 'reject', suspend: 'suspend', reactivate: 'reactivate', 'require-mfa': 'require-mfa' };

export type OutcomeTarget = Pick<UserEntity, 'id' | 'role' | 'status' | 'emailVerifiedAt' | 'approvedAt' | 'mfaEnrolledAt' | 'entitled' | 'blocks' | 'mfaRequired'>;

/**
 * The ladder's own verdict on a move (planChange, the function the ladder write itself runs) as an outcome.
 * AccountAdministration checks reject and suspend with this before it signs the user out at the provider.
 */
export function ladderOutcome(user: OutcomeTarget, event: 'APPROVED' | 'REJECTED' | 'SUSPENDED' | 'REINSTATED', repeatIsFine: boolean, steps?: OnboardingSteps): Outcome {
  const planned = planChange(ladderStateOf(user), EVENT_CHANGES[event], new Date(0).toISOString());
  if (!('refused' in planned)) return steps ? { outcome: 'applied', to: deriveStatus(planned.facts, planned.blocks, steps) } : { outcome: 'applied' };
  if (planned.refused === 'UNCHANGED' && repeatIsFine) return { outcome: 'unchanged' };
  return { outcome: 'refused', code: 'INVALID_TRANSITION' };
}

/**
 * What `action` by `actorId` would do to `target`, given how many OTHER active administrators there are: the same
 * rules, in the same order, as the single-user actions (not on oneself, never the last admin, then the ladder).
 * The bulk dry run answers with it; the bulk run asks it first and then runs the real action, which checks again
 * (the admin count under its lock), so a race can only turn a predicted `applied` into a refusal, never the reverse.
 */
export function actionOutcome(action: BulkAction, target: OutcomeTarget, actorId: string, otherActiveAdmins: number, steps: OnboardingSteps): Outcome {
  const safety = SAFETY_NAME[action];
  if (safety && selfActionForbidden(actorId, target.id, safety)) return { outcome: 'refused', code: 'SELF_ACTION_FORBIDDEN' };
  if (safety && mayRemoveAdmin(safety) && lastAdminAt(target, safety, otherActiveAdmins)) return { outcome: 'refused', code: 'LAST_ADMIN' };
  const ladder = LADDER[action];
  if (ladder) return ladderOutcome(target, ladder.event, ladder.repeatIsFine, steps);
  if (action === 'require-mfa') return target.mfaRequired ? { outcome: 'unchanged' } : { outcome: 'applied' };
  return { outcome: 'applied' };
}
