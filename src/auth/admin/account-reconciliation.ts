import { Injectable } from '@nestjs/common';
import type { Role } from '../../config/config.types';
import type { UserEntity } from '../../users';
import { AccountFacts } from '../account-facts.service';
import { AccountLadder } from '../account-ladder';
import { type AdminActor, AdminPortError, auditActor } from '../providers/admin-port';
import { lastAdminAt, selfActionForbidden } from './admin-safety';

/**
 * One step of "apply the provider's truth": only moves that take nothing the provider does not also refuse (a block
 * the provider already laid, a factor it no longer has, a role its groups no longer give) or that record what the
 * provider proved (a verified address, an enabled authenticator). Never the other way round: a provider that says
 * "enabled" does not lift Gatehouse's block.
 */
export type ReconcileStep =
  | { kind: 'disabled' }
  | { kind: 'email_verified' }
  | { kind: 'mfa_removed' }
  | { kind: 'mfa_enrolled'; method: 'totp' }
  | { kind: 'role'; role: Role };

/** What one step did: applied, already so (nothing written), or refused by a safety rule with its code. */
export type ReconcileOutcome = { result: 'applied' | 'unchanged' } | { result: 'refused'; code: 'SELF_ACTION_FORBIDDEN' | 'LAST_ADMIN' | 'USER_NOT_FOUND' };

/**
 * Mirrors a provider's state into Gatehouse for the admin API's reconcile, each step with its own audit row (a ladder
 * move, a fact, a role change) naming the acting admin, the request and `source: reconcile`. The same safety rules as
 * the admin actions: never on oneself where an action would be refused, never leaving no active administrator.
 */
@Injectable()
export class AccountReconciliation {
  constructor(
    private readonly ladder: AccountLadder,
    private readonly facts: AccountFacts,
  ) {}

  async apply(userId: string, step: ReconcileStep, actor: AdminActor): Promise<ReconcileOutcome> {
    const user = await this.ladder.findUser(userId);
    if (!user) return { result: 'refused', code: 'USER_NOT_FOUND' };
    const by = auditActor(actor);
    const detail = { source: 'reconcile', ...(actor.requestId ? { requestId: actor.requestId } : {}) };
    switch (step.kind) {
      case 'disabled':
        return this.safely(user, actor, 'disable', undefined, async () => {
          const outcome = await this.ladder.disable(userId, by, detail);
          if (!outcome.done) throw new AdminPortError('INVALID_TRANSITION', `DISABLED from ${outcome.status}`);
          return outcome.changed;
        });
      case 'role':
        return this.safely(user, actor, 'role', step.role, () => this.ladder.setRole(userId, step.role, by, 'admin.reconciled', detail, user.role));
      case 'email_verified':
        if (user.emailVerified) return { result: 'unchanged' };
        await this.facts.emailVerified({ userId, verified: true, via: 'reconcile' }, by);
        return { result: 'applied' };
      case 'mfa_removed':
        if (!user.mfaMethod) return { result: 'unchanged' };
        await this.facts.mfaDisabled({ userId }, by);
        return { result: 'applied' };
      case 'mfa_enrolled':
        if (user.mfaMethod) return { result: 'unchanged' };
        await this.facts.mfaEnabled({ userId, method: step.method }, by);
        return { result: 'applied' };
    }
  }

  /** A step that may take an admin away: refused on oneself, and for the last active admin (under the admin-set lock). */
  private async safely(user: UserEntity, actor: AdminActor, action: 'disable' | 'role', newRole: Role | undefined, run: () => Promise<boolean>): Promise<ReconcileOutcome> {
    if (selfActionForbidden(actor.userId, user.id, action)) return { result: 'refused', code: 'SELF_ACTION_FORBIDDEN' };
    const done = (changed: boolean): ReconcileOutcome => ({ result: changed ? 'applied' : 'unchanged' });
    if (user.role !== 'admin') return done(await run());
    return this.ladder.underAdminSetLock(async (otherActiveAdmins) => {
      const fresh = await this.ladder.findUser(user.id);
      if (!fresh) return { result: 'refused', code: 'USER_NOT_FOUND' } as const;
      if (lastAdminAt(fresh, action, await otherActiveAdmins(user.id), newRole)) return { result: 'refused', code: 'LAST_ADMIN' } as const;
      return done(await run());
    });
  }
}
