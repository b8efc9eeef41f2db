import { Injectable } from '@nestjs/common';
import type { Role } from '../config/config.types';
import { BLOCKED_STATUSES, type UserStatus } from '../common/user-status';
import { type LadderOutcome, OnboardingService } from './onboarding/onboarding.service';
import type { AuditActor, AuditEventName } from './audit-event';
import { UsersService } from './users.service';

/** What an operator action did to the row: changed it, found it already so, or was refused from `status`. */
export type MirrorOutcome = { done: true; changed: boolean } | { done: false; status: UserStatus | null };

/**
 * The Gatehouse side of an operator action on an account, whichever directory the action happened in (the local
 * admin port, Cognito's admin API through Gatehouse, or the AWS console reported by a CloudTrail event). One place,
 * so every path makes the same ladder move, sets the same watermark and writes the same audit rows.
 */
@Injectable()
export class AccountMirror {
  constructor(
    private readonly users: UsersService,
    private readonly onboarding: OnboardingService,
  ) {}

  /** Lays the `disabled` block, which also sets the revocation watermark. Already disabled: done, unchanged. */
  async disable(userId: string, actor: AuditActor, detail: Record<string, unknown> = {}): Promise<MirrorOutcome> {
    const reason = typeof detail.reason === 'string' ? detail.reason : null;
    const outcome = await this.onboarding.block(userId, { kind: 'disabled', by: 'admin', reason }, actor, { detail });
    if (!outcome) return { done: false, status: null };
    return outcome.done ? { done: true, changed: true } : { done: true, changed: false };
  }

  /** An administrator's ladder decision (approve, reject, reinstate), with the outcome: refusals carry the status. */
  decide(userId: string, event: 'APPROVED' | 'REJECTED' | 'REINSTATED', actor: AuditActor, detail: Record<string, unknown> = {}): Promise<LadderOutcome | null> {
    const reason = typeof detail.reason === 'string' ? detail.reason : null;
    if (event === 'REJECTED') return this.onboarding.block(userId, { kind: 'rejected', by: 'admin', reason }, actor, { detail });
    return this.onboarding.attempt(userId, event, actor, { detail });
  }

  /** An administrator's suspension (sets the watermark), optionally timed: `until` is lifted by whoever sweeps it. */
  suspend(userId: string, actor: AuditActor, opts: { reason: string | null; until: Date | null }, detail: Record<string, unknown> = {}): Promise<LadderOutcome | null> {
    return this.onboarding.block(userId, { kind: 'suspended', by: 'admin', reason: opts.reason, until: opts.until }, actor, { detail: { ...detail, ...(opts.until ? { until: opts.until.toISOString() } : {}) } });
  }

  /**
   * Lifts the `disabled` block: the status falls back to where the progress facts say (never skipping a step). A user
   * who is not disabled is already enabled, unless blocked for another reason (suspended, rejected): enabling must
   * not quietly undo a different decision, so that is refused with the status.
   */
  async enable(userId: string, actor: AuditActor, detail: Record<string, unknown> = {}): Promise<MirrorOutcome> {
    const outcome = await this.onboarding.unblock(userId, 'disabled', 'admin', actor, { detail });
    if (!outcome) return { done: false, status: null };
    if (outcome.done) return { done: true, changed: true };
    return BLOCKED_STATUSES.includes(outcome.status) ? { done: false, status: outcome.status } : { done: true, changed: false };
  }

  /**
   * The user's second factor was removed by an operator: Gatehouse forgets the method (so sign-in no longer expects
   * it) and the MFA step is no longer satisfied (the ladder decides), in one commit.
   */
  async mfaRemoved(userId: string, actor: AuditActor): Promise<void> {
    await this.users.inTransaction(async (tx) => {
      await this.users.updateProfile(userId, { mfaMethod: null }, undefined, tx);
      await this.onboarding.withdrawFact(userId, 'mfa_enrolled', actor, { tx });
    });
  }

  /** The row goes (other modules' rows by cascade); the audit row recording why, written first, stays. */
  remove(userId: string, actor: AuditActor, type: AuditEventName, detail: Record<string, unknown> = {}): Promise<boolean> {
    return this.users.deleteUser(userId, { actor, type, detail });
  }

  /** Every token issued before now is refused (sign-out everywhere, a password reset or set by an operator). */
  async revoke(userId: string, actor: AuditActor, reason: string): Promise<void> {
    await this.users.revokeTokens(userId, actor, reason);
  }

  /**
   * Records a new role. Where the role is read from the row at each request (local users) that is all it takes.
   * Where it travels in the tokens (Cognito access tokens carry `cognito:groups`), `tokensMayCarry` names the role
   * live tokens may still claim: when it is stronger than the new one, the watermark is set, so a demoted admin's
   * tokens stop working now rather than when they expire.
   */
  async setRole(userId: string, role: Role, actor: AuditActor, type: AuditEventName, detail: Record<string, unknown> = {}, tokensMayCarry?: Role): Promise<boolean> {
    const user = await this.users.findById(userId);
    if (!user) return false;
    if (user.role !== role) await this.users.updateProfile(userId, { role }, { actor, type, detail: { ...detail, from: user.role, to: role } });
    if (tokensMayCarry && demotes(tokensMayCarry, role)) await this.users.revokeTokens(userId, actor, `${type}: ${tokensMayCarry} → ${role}`);
    return user.role !== role;
  }
}

/** Whether going from `from` to `to` takes a permission away (admin ⊃ auditor ⊃ user, for reading). */
function demotes(from: Role, to: Role): boolean {
  const rank: Record<Role, number> = { user: 0, auditor: 1, admin: 2 };
  return rank[to] < rank[from];
}
