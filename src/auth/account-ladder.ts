import { Injectable, Module } from '@nestjs/common';
import type { Role } from '../config/config.types';
import { AccountMirror, type AuditActor, type AuditEventName, type AuditEventType, type MirrorOutcome, type LadderOutcome, UserQueries, type UserEntity, UsersModule, UsersService } from '../users';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one place the admin use cases reach into the users module's ladder, watermark and audit trail for account
 * changes (through AccountMirror, which the provider-side event hooks share).
 */
@Injectable()
export class AccountLadder {
  constructor(
    private readonly users: UsersService,
    private readonly mirror: AccountMirror,
    private readonly queries: UserQueries,
  ) {}

  /** approve / reject / reinstate: the outcome, refusals with the status the user is in; null for no such user. */
  decide(userId: string, event: 'APPROVED' | 'REJECTED' | 'REINSTATED', actor: AuditActor, detail: Record<string, unknown> = {}): Promise<LadderOutcome | null> {
    return this.mirror.decide(userId, event, actor, detail);
  }

  /** → suspended (watermark set), optionally until a time. */
  suspend(userId: string, actor: AuditActor, opts: { reason: string | null; until: Date | null }, detail: Record<string, unknown> = {}): Promise<LadderOutcome | null> {
    return this.mirror.suspend(userId, actor, opts, detail);
  }

  /** See UserQueries.underAdminSetLock: changes that may remove an active admin are serialised across instances. */
  underAdminSetLock<T>(fn: (otherActiveAdmins: (userId: string) => Promise<number>) => Promise<T>): Promise<T> {
    return this.queries.underAdminSetLock(fn);
  }

  /** The user by Gatehouse id; null for an unknown id or anything that is not a uuid (never sent to SQL). */
  async findUser(userId: string): Promise<UserEntity | null> {
    return UUID.test(userId) ? this.users.findById(userId) : null;
  }

  /** → disabled (which also sets the revocation watermark). */
  disable(userId: string, actor: AuditActor, detail: Record<string, unknown> = {}): Promise<MirrorOutcome> {
    return this.mirror.disable(userId, actor, detail);
  }

  /** disabled → where the user was. */
  enable(userId: string, actor: AuditActor, detail: Record<string, unknown> = {}): Promise<MirrorOutcome> {
    return this.mirror.enable(userId, actor, detail);
  }

  /** The row goes; the audit row recording why stays. */
  remove(userId: string, actor: AuditActor, detail: Record<string, unknown> = {}): Promise<boolean> {
    return this.mirror.remove(userId, actor, 'admin.user_deleted', detail);
  }

  /** Every token issued before now is refused, on every instance. */
  revoke(userId: string, actor: AuditActor, reason: string): Promise<void> {
    return this.mirror.revoke(userId, actor, reason);
  }

  setRole(userId: string, role: Role, actor: AuditActor, type: AuditEventName, detail: Record<string, unknown>, tokensMayCarry?: Role): Promise<boolean> {
    return this.mirror.setRole(userId, role, actor, type, detail, tokensMayCarry);
  }

  /** A password set by someone else: the login lockout's generation moves (as a reset does) and the event is audited. */
  async passwordSet(userId: string, actor: AuditActor, detail: Record<string, unknown>): Promise<void> {
    await this.users.updateProfile(userId, { passwordResetAt: new Date() }, { actor, type: 'admin.password_set', detail });
  }

  /** The second factor is gone (an operator removed it): progress past the MFA step is withdrawn. */
  mfaRemoved(userId: string, actor: AuditActor): Promise<void> {
    return this.mirror.mfaRemoved(userId, actor);
  }

  /** Gatehouse's own MFA requirement: the user can no longer switch the factor off. */
  async requireMfa(userId: string, actor: AuditActor): Promise<void> {
    await this.users.updateProfile(userId, { mfaRequired: true }, { actor, type: 'admin.mfa_required' });
  }

  record(userId: string, actor: AuditActor, type: AuditEventType, detail?: Record<string, unknown>): Promise<void> {
    return this.users.recordEvent({ userId, actor, type, ...(detail ? { detail } : {}) });
  }
}

/** The seam as a module: provider modules and the auth core import it (stateless, so importing it twice is harmless). */
@Module({ imports: [UsersModule], providers: [AccountLadder], exports: [AccountLadder] })
export class AccountLadderModule {}
