import { Inject, Injectable } from '@nestjs/common';
import { BLOCKED_STATUSES } from '../../users/onboarding/transitions';
import type { UserEntity } from '../../users/user.entity';
import { AccountLadder } from '../account-ladder';
import {
  AdminActor,
  AdminPortError,
  auditActor,
  AUTH_ADMIN_PORT,
  type AuthAdminPort,
  type CreateUserInput,
  type DirectoryUser,
  type MfaPreference,
} from '../providers/admin-port';

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
  ) {}

  createUser(input: CreateUserInput, actor: AdminActor): Promise<DirectoryUser & { userId: string }> {
    return this.port.createUser(input, actor);
  }

  /** Disabled at the provider (its sessions end there), then `disabled` on the ladder, which sets the watermark. */
  async disable(userId: string, actor: AdminActor): Promise<void> {
    await this.row(userId);
    await this.port.disableUser(userId, actor);
    await this.settle(await this.ladder.disable(userId, auditActor(actor), { requestId: actor.requestId }), 'DISABLED');
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

  async delete(userId: string, actor: AdminActor, reason?: string): Promise<void> {
    const user = await this.row(userId);
    await this.port.deleteUser(userId, actor);
    await this.ladder.remove(userId, auditActor(actor), { subject: user.subject, ...(reason ? { reason } : {}) });
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

  /** Gatehouse's flag is set whatever the provider says: a user without an authenticator is held at enrolment. */
  async requireMfa(userId: string, actor: AdminActor): Promise<{ challenged: boolean }> {
    const user = await this.row(userId);
    const result = await this.port.requireMfa(userId, actor);
    if (!user.mfaRequired) await this.ladder.requireMfa(userId, auditActor(actor));
    return result;
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
