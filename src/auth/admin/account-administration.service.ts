import { Inject, Injectable } from '@nestjs/common';
import { ConflictError } from '../../common/errors/app-error';
import { BLOCKED_STATUSES } from '../../common/user-status';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig, Role } from '../../config/config.types';
import type { LadderOutcome, UserEntity } from '../../users';
import { AccountLadder } from '../account-ladder';
import {
  AdminActor,
  AdminPortError,
  auditActor,
  AUTH_ADMIN_PORT,
  type AuthAdminPort,
  type CreateUserInput,
  type DirectoryUser,
  type DirectoryUserDetail,
  type MfaPreference,
} from '../providers/admin-port';
import { ladderOutcome } from './action-outcome';
import { type LoginLockState, LoginLockoutReader } from '../throttling/login-lockout.reader';
import { type AdminAction, lastAdminAt, mayRemoveAdmin, selfActionForbidden } from './admin-safety';

/** What an action did: `changed: false` when the user already was so (nothing written, no audit row). */
export interface ActionResult {
  changed: boolean;
}

/**
 * The admin use cases on one user, whatever the provider: the provider-side action through AUTH_ADMIN_PORT first,
 * then the mirror into Gatehouse (ladder move, revocation watermark, audit row naming the acting admin). When the
 * provider refuses, nothing local changes. This is what the admin API calls; the port alone never moves the ladder.
 */
@Injectable()
export class AccountAdministration {
  constructor(
    @Inject(AUTH_ADMIN_PORT) readonly port: AuthAdminPort,
    private readonly ladder: AccountLadder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly lockout: LoginLockoutReader,
  ) {}

  /** The provider's view of one user with its groups and sign-in lock (admin page, diagnosis). */
  inspect(userId: string): Promise<DirectoryUserDetail> {
    return this.port.inspectUser(userId);
  }

  /** Gatehouse's own login lockout on the user's address (every provider's sign-in passes through it). */
  loginLock(user: Pick<UserEntity, 'email' | 'passwordResetAt'>): Promise<LoginLockState> {
    return this.lockout.stateOf(user);
  }

  /** pending_approval → the next step the facts call for. Nothing to do at the provider: approval is Gatehouse's. */
  approve(userId: string, actor: AdminActor): Promise<ActionResult> {
    return this.guarded('approve', userId, actor, async () => settled(await this.ladder.decide(userId, 'APPROVED', auditActor(actor), detailOf(actor)), 'APPROVED', true));
  }

  /**
   * Refuses a verified, unapproved user: their sessions end at the provider, then the `rejected` block (which sets
   * the watermark). Checked up front so a user past approval is never signed out by a refused rejection.
   */
  reject(userId: string, reason: string, actor: AdminActor): Promise<ActionResult> {
    return this.guarded('reject', userId, actor, async (user) => {
      if (this.precheck(user, 'REJECTED') === 'unchanged') return { changed: false };
      await this.port.signOutEverywhere(userId, actor);
      return settled(await this.ladder.decide(userId, 'REJECTED', auditActor(actor), detailOf(actor, reason)), 'REJECTED', true);
    });
  }

  /** Sessions end at the provider, then `suspended` (watermark set); `until` ends it (see the admin module's sweep). */
  suspend(userId: string, opts: { reason: string; until?: Date }, actor: AdminActor): Promise<ActionResult> {
    return this.guarded('suspend', userId, actor, async (user) => {
      if (this.precheck(user, 'SUSPENDED') === 'unchanged') return { changed: false };
      await this.port.signOutEverywhere(userId, actor);
      const outcome = await this.ladder.suspend(userId, auditActor(actor), { reason: opts.reason, until: opts.until ?? null }, detailOf(actor));
      return settled(outcome, 'SUSPENDED', true);
    });
  }

  /** Lifts a suspension (an admin's or billing's); the user lands where their progress says. Not suspended: 409. */
  reactivate(userId: string, actor: AdminActor): Promise<ActionResult> {
    return this.guarded('reactivate', userId, actor, async () => settled(await this.ladder.decide(userId, 'REINSTATED', auditActor(actor), detailOf(actor)), 'REINSTATED', false));
  }

  /**
   * Sets the role through the provider's groups (ROLE_GROUP_MAP): joins a group of the new role, then leaves the
   * groups of the other privileged roles. Refused on oneself, and for the last active admin.
   */
  setRole(userId: string, role: Role, actor: AdminActor): Promise<ActionResult> {
    return this.guarded(
      'role',
      userId,
      actor,
      async (user) => {
        if (user.role === role) return { changed: false };
        const map = this.config.auth.roleGroupMap;
        const groupOf = (r: Role) => Object.keys(map).filter((g) => map[g] === r);
        const join = groupOf(role)[0];
        if (role !== 'user' && join === undefined) throw new AdminPortError('INVALID_INPUT', `no ROLE_GROUP_MAP group maps to ${role}`);
        const by = auditActor(actor);
        let changed = false;
        if (join !== undefined) {
          const change = await this.port.addToGroup(userId, join, actor);
          changed = (await this.ladder.setRole(userId, change.role, by, 'admin.group_added', { group: join, ...detailOf(actor) }, change.tokensMayCarry)) || changed;
        }
        for (const group of Object.keys(map).filter((g) => map[g] !== role && map[g] !== 'user')) {
          const change = await this.port.removeFromGroup(userId, group, actor);
          changed = (await this.ladder.setRole(userId, change.role, by, 'admin.group_removed', { group, ...detailOf(actor) }, change.tokensMayCarry)) || changed;
        }
        return { changed };
      },
      role,
    );
  }

  createUser(input: CreateUserInput, actor: AdminActor): Promise<DirectoryUser & { userId: string }> {
    return this.port.createUser(input, actor);
  }

  /** Disabled at the provider (its sessions end there), then `disabled` on the ladder, which sets the watermark. */
  disable(userId: string, actor: AdminActor, reason?: string): Promise<void> {
    return this.guarded('disable', userId, actor, async () => {
      await this.port.disableUser(userId, actor);
      await this.settle(await this.ladder.disable(userId, auditActor(actor), detailOf(actor, reason)), 'DISABLED');
    });
  }

  /** Refused up front for a user blocked otherwise (suspended, rejected): enabling must not undo another decision. */
  async enable(userId: string, actor: AdminActor): Promise<void> {
    const user = await this.row(userId);
    if (user.status !== 'disabled' && BLOCKED_STATUSES.includes(user.status)) {
      throw new AdminPortError('INVALID_TRANSITION', `ENABLED from ${user.status}`, { status: user.status });
    }
    await this.port.enableUser(userId, actor);
    await this.settle(await this.ladder.enable(userId, auditActor(actor), { requestId: actor.requestId }), 'ENABLED');
  }

  delete(userId: string, actor: AdminActor, reason?: string): Promise<void> {
    return this.guarded('delete', userId, actor, async (user) => {
      await this.port.deleteUser(userId, actor);
      await this.ladder.remove(userId, auditActor(actor), { subject: user.subject, ...detailOf(actor, reason) });
    });
  }

  /** Every session ends: the provider's refresh tokens, and Gatehouse's watermark for the live access tokens. */
  async signOutEverywhere(userId: string, actor: AdminActor): Promise<void> {
    await this.row(userId);
    await this.port.signOutEverywhere(userId, actor);
    await this.ladder.revoke(userId, auditActor(actor), 'admin_sign_out');
  }

  async resetPassword(userId: string, actor: AdminActor): Promise<void> {
    await this.row(userId);
    await this.port.resetPassword(userId, actor);
    await this.ladder.revoke(userId, auditActor(actor), 'admin_password_reset');
  }

  async setPassword(userId: string, password: string, permanent: boolean, actor: AdminActor): Promise<void> {
    await this.row(userId);
    await this.port.setPassword(userId, password, permanent, actor);
    await this.ladder.revoke(userId, auditActor(actor), 'admin_set_password');
    await this.ladder.passwordSet(userId, auditActor(actor), { permanent });
  }

  updateAttributes(userId: string, attributes: Record<string, string>, actor: AdminActor): Promise<void> {
    return this.port.updateAttributes(userId, attributes, actor);
  }

  /** Switching the factor off at the provider withdraws the MFA progress too (the ladder may send the user back). */
  async setMfaPreference(userId: string, pref: MfaPreference, actor: AdminActor): Promise<void> {
    const user = await this.row(userId);
    await this.port.setMfaPreference(userId, pref, actor);
    if (pref.totp && !pref.totp.enabled && user.mfaMethod) await this.ladder.mfaRemoved(userId, auditActor(actor));
  }

  /**
   * Gatehouse's flag is set whatever the provider says: a user without an authenticator is held at enrolment. The
   * answer says which: `challenged` at the next sign-in (an authenticator is enabled at the provider), or not yet.
   */
  async requireMfa(userId: string, actor: AdminActor): Promise<ActionResult & { enrolled: boolean; challenged: boolean }> {
    const user = await this.row(userId);
    const { challenged } = await this.port.requireMfa(userId, actor);
    if (!user.mfaRequired) await this.ladder.requireMfa(userId, auditActor(actor));
    return { changed: !user.mfaRequired, enrolled: challenged || user.mfaMethod !== null, challenged };
  }

  async addToGroup(userId: string, group: string, actor: AdminActor): Promise<void> {
    const change = await this.port.addToGroup(userId, group, actor);
    await this.ladder.setRole(userId, change.role, auditActor(actor), 'admin.group_added', { group }, change.tokensMayCarry);
  }

  /** A lost role also sets the watermark where live tokens may still claim it (Cognito's `cognito:groups`). */
  async removeFromGroup(userId: string, group: string, actor: AdminActor): Promise<void> {
    const change = await this.port.removeFromGroup(userId, group, actor);
    await this.ladder.setRole(userId, change.role, auditActor(actor), 'admin.group_removed', { group }, change.tokensMayCarry);
  }

  /**
   * The safety rules around an action: never on oneself where that is forbidden (409 SELF_ACTION_FORBIDDEN), and
   * never leaving no active admin (409 LAST_ADMIN), counted under the admin-set lock with the target read afresh.
   */
  private async guarded<T>(action: AdminAction, userId: string, actor: AdminActor, run: (user: UserEntity) => Promise<T>, newRole?: Role): Promise<T> {
    if (selfActionForbidden(actor.userId, userId, action)) throw new ConflictError('SELF_ACTION_FORBIDDEN', 'Administrators cannot do this to their own account');
    const user = await this.row(userId);
    if (!mayRemoveAdmin(action) || user.role !== 'admin') return run(user);
    return this.ladder.underAdminSetLock(async (otherActiveAdmins) => {
      const fresh = await this.row(userId);
      if (lastAdminAt(fresh, action, await otherActiveAdmins(userId), newRole)) throw new ConflictError('LAST_ADMIN', 'This would leave no active administrator');
      return run(fresh);
    });
  }

  /**
   * The ladder's verdict before a provider-side effect (reject and suspend sign the user out first): the same rule
   * (action-outcome.ts) the bulk dry run answers with. A refusal is a 409 and nothing has happened.
   */
  private precheck(user: UserEntity, event: 'REJECTED' | 'SUSPENDED'): 'apply' | 'unchanged' {
    const verdict = ladderOutcome(user, event, true);
    if (verdict.outcome === 'refused') throw transitionRefused(event, user.status);
    return verdict.outcome === 'unchanged' ? 'unchanged' : 'apply';
  }

  private async row(userId: string): Promise<UserEntity> {
    const user = await this.ladder.findUser(userId);
    if (!user) throw new AdminPortError('USER_NOT_FOUND', `no user ${userId}`);
    return user;
  }

  /** The provider already changed: a ladder refusal is reported with the status it came from; already there is fine. */
  private async settle(outcome: Awaited<ReturnType<AccountLadder['disable']>>, event: string): Promise<void> {
    if (outcome.done) return;
    if (outcome.status === null) throw new AdminPortError('USER_NOT_FOUND', 'deleted concurrently');
    throw new AdminPortError('INVALID_TRANSITION', `${event} from ${outcome.status}`, { status: outcome.status });
  }
}

/** The audit detail every admin action carries: the request it came with and, where given, the reason. */
function detailOf(actor: AdminActor, reason?: string): Record<string, unknown> {
  return { ...(actor.requestId ? { requestId: actor.requestId } : {}), ...(reason ? { reason } : {}) };
}

function transitionRefused(event: string, status: string): AdminPortError {
  return new AdminPortError('INVALID_TRANSITION', `${event} from ${status}`, { status });
}

/** A ladder outcome as an action result: a repeat is `changed: false` where `repeatIsFine`, any other refusal a 409. */
function settled(outcome: LadderOutcome | null, event: string, repeatIsFine: boolean): ActionResult {
  if (!outcome) throw new AdminPortError('USER_NOT_FOUND', 'deleted concurrently');
  if (outcome.done) return { changed: true };
  if (outcome.refused === 'UNCHANGED' && repeatIsFine) return { changed: false };
  throw transitionRefused(event, outcome.status);
}
