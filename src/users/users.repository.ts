import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../config/config.types';
import type { UserAuthProvider, UserStatus } from '../common/user-status';
import type { LadderState, ProgressFacts } from './onboarding/transitions';
import { CommitHooks } from './commit-hooks';
import { USER_CHANGED, type UserChanged } from './user-events';
import type { ErrorCode } from '../common/errors/error-codes';
import { currentRequestContext } from '../common/request-context';
import { type AuditActor, type AuditEventName, type AuditResult, defaultOutcome, redactDetail } from './audit-event';
import { UserEventEntity } from './user-event.entity';
import { UserEntity } from './user.entity';

export interface NewUser {
  issuer: string;
  subject: string;
  authProvider: UserAuthProvider;
  email: string | null;
  emailVerified: boolean;
  fullName: string | null;
  role: Role;
  organizationId: string | null;
}

export interface NewUserEvent {
  userId: string;
  actor: AuditActor;
  type: AuditEventName;
  fromStatus?: UserStatus | null;
  toStatus?: UserStatus | null;
  detail?: Record<string, unknown>;
  /** Default: `refused` with its code for the types in AUDIT_REFUSALS, else `success`. */
  result?: AuditResult;
  resultCode?: ErrorCode | null;
  /** Why (an administrator's reason); default: `detail.reason` when it is text. */
  reason?: string | null;
}

/** What the ladder decided: the new facts and blocks, the status derived from them, and whether tokens die. */
export interface LadderPlanned extends LadderState {
  status: UserStatus;
  revokesTokens: boolean;
}

/** TypeORM's Postgres driver answers UPDATE … RETURNING with `[rows, rowCount]`, not with the rows. */
function updatedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  throw new Error('unexpected result shape from UPDATE … RETURNING');
}

/**
 * Persistence for users and their audit trail. SQL lives here and nowhere else in the users module.
 *
 * Every write takes an optional `tx`: given, it joins the caller's transaction (its rows commit or roll back with the
 * caller's); otherwise it opens its own. Either way, each write to `auth.users` announces itself on this instance
 * (USER_CHANGED, `source: 'local'`) right after the commit, so this instance reads its own writes without waiting
 * for its NOTIFY to come back through the change feed.
 */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly hooks: CommitHooks,
    private readonly events: EventEmitter2,
  ) {}

  /** Runs `fn` in the caller's transaction when given, else in a new one. */
  private run<T>(tx: EntityManager | undefined, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : this.db.transaction(fn);
  }

  /** After `tx` commits: evict and tell this instance's listeners (see USER_CHANGED). */
  private changed(tx: EntityManager, change: Omit<UserChanged, 'source'>): void {
    this.hooks.afterCommit(tx, () => this.events.emit(USER_CHANGED, { ...change, source: 'local' } satisfies UserChanged));
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.db.getRepository(UserEntity).findOneBy({ id });
  }

  findByIssuerSubject(issuer: string, subject: string): Promise<UserEntity | null> {
    return this.db.getRepository(UserEntity).findOneBy({ issuer, subject });
  }

  findByEmail(email: string, authProvider?: UserAuthProvider): Promise<UserEntity | null> {
    return this.db.getRepository(UserEntity).findOneBy(authProvider ? { email, authProvider } : { email });
  }

  /**
   * Inserts unless (issuer, subject) exists; concurrent first requests race on the unique key and all read back the
   * one row. Returns the row and whether this call created it.
   */
  async insertIfAbsent(user: NewUser & { status: UserStatus }, actor: AuditActor, outer?: EntityManager): Promise<{ user: UserEntity; created: boolean }> {
    // `outer`: the caller's transaction, when the user row must commit together with rows of another module.
    return this.run(outer, async (tx) => {
      const inserted: Array<{ id: string }> = await tx.query(
        `INSERT INTO auth.users (issuer, subject, auth_provider, email, email_verified, email_verified_at, full_name, role, organization_id, status)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 THEN now() END, $6, $7, $8, $9)
         ON CONFLICT ON CONSTRAINT users_issuer_subject_key DO NOTHING
         RETURNING id`,
        [user.issuer, user.subject, user.authProvider, user.email, user.emailVerified, user.fullName, user.role, user.organizationId, user.status],
      );
      if (inserted[0]) {
        await this.insertEvent(tx, { userId: inserted[0].id, actor, type: 'user.provisioned', toStatus: user.status, detail: { provider: user.authProvider } });
      }
      const row = await tx.getRepository(UserEntity).findOneByOrFail({ issuer: user.issuer, subject: user.subject });
      if (inserted[0]) this.changed(tx, { userId: row.id, status: row.status, previousStatus: null, tokensValidAfter: row.tokensValidAfter });
      return { user: row, created: Boolean(inserted[0]) };
    });
  }

  /**
   * The one way a status changes: reads the ladder state under a row lock, asks `plan` for the next one (null: refused,
   * nothing written), then ONE UPDATE writes the facts, the blocks and the status derived from them (plus the
   * watermark when a block was laid), and ONE audit row records it. Returns null when the user does not exist.
   */
  async ladderWrite<R>(
    userId: string,
    plan: (current: LadderState & { status: UserStatus }) => { next: LadderPlanned; audit: Omit<NewUserEvent, 'userId' | 'fromStatus' | 'toStatus'> } | { refused: R },
    outer?: EntityManager,
  ): Promise<{ user: UserEntity; from: UserStatus } | { refused: R; status: UserStatus } | null> {
    return this.run(outer, async (tx) => {
      const [row] = (await tx.query(
        `SELECT status, email_verified_at IS NOT NULL AS email_verified, approved_at IS NOT NULL AS approved,
                mfa_enrolled_at IS NOT NULL AS mfa_enrolled, entitled, blocks
           FROM auth.users WHERE id = $1 FOR UPDATE`,
        [userId],
      )) as Array<ProgressFacts & { status: UserStatus; blocks: LadderState['blocks'] }>;
      if (!row) return null;
      const facts: ProgressFacts = { email_verified: row.email_verified, approved: row.approved, mfa_enrolled: row.mfa_enrolled, entitled: row.entitled };
      const decided = plan({ facts, blocks: row.blocks, status: row.status });
      if ('refused' in decided) return { refused: decided.refused, status: row.status };
      const { next, audit } = decided;
      await tx.query(
        `UPDATE auth.users SET
           email_verified_at = CASE WHEN $2 THEN COALESCE(email_verified_at, now()) END,
           email_verified = email_verified OR $2,
           approved_at = CASE WHEN $3 THEN COALESCE(approved_at, now()) END,
           approved_by = CASE WHEN $3 THEN COALESCE(approved_by, $8) END,
           mfa_enrolled_at = CASE WHEN $4 THEN COALESCE(mfa_enrolled_at, now()) END,
           entitled = $5,
           blocks = $6::jsonb,
           status = $7,
           tokens_valid_after = CASE WHEN $9 THEN clock_timestamp() ELSE tokens_valid_after END,
           updated_at = now()
         WHERE id = $1`,
        [userId, next.facts.email_verified, next.facts.approved, next.facts.mfa_enrolled, next.facts.entitled, JSON.stringify(next.blocks), next.status, audit.actor, next.revokesTokens],
      );
      await this.insertEvent(tx, { ...audit, userId, fromStatus: row.status, toStatus: next.status });
      const user = await tx.getRepository(UserEntity).findOneByOrFail({ id: userId });
      this.changed(tx, { userId, status: user.status, previousStatus: row.status, tokensValidAfter: user.tokensValidAfter });
      return { user, from: row.status };
    });
  }

  /** Sets the revocation watermark: every token issued before now stops working (Gatehouse-side). */
  async revokeTokens(userId: string, actor: AuditActor, reason: string, outer?: EntityManager): Promise<Date | null> {
    return this.run(outer, async (tx) => {
      const rows = updatedRows<{ tokens_valid_after: Date; status: UserStatus }>(
        await tx.query(`UPDATE auth.users SET tokens_valid_after = clock_timestamp(), updated_at = now() WHERE id = $1 RETURNING tokens_valid_after, status`, [userId]),
      );
      if (!rows[0]) return null;
      await this.insertEvent(tx, { userId, actor, type: 'tokens.revoked', detail: { reason } });
      this.changed(tx, { userId, status: rows[0].status, previousStatus: rows[0].status, tokensValidAfter: rows[0].tokens_valid_after });
      return rows[0].tokens_valid_after;
    });
  }

  /**
   * Compare-and-claim for `If-Match`: under the row lock, `current(row)` decides whether the caller's precondition
   * still holds; if so the version is bumped in the same transaction, so a second caller holding the same
   * precondition sees the new version and fails. `updated_at` is left alone: a claim is not a change of the user.
   */
  async claimIfCurrent(userId: string, current: (row: UserEntity) => boolean): Promise<{ claimed: number } | 'stale' | 'missing'> {
    return this.db.transaction(async (tx) => {
      const row = await tx.getRepository(UserEntity).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!row) return 'missing';
      if (!current(row)) return 'stale';
      await tx.query(`UPDATE auth.users SET version = version + 1 WHERE id = $1`, [userId]);
      this.changed(tx, { userId, status: row.status, previousStatus: row.status, tokensValidAfter: row.tokensValidAfter });
      return { claimed: row.version + 1 };
    });
  }

  /** Gives a claim back (the action it was taken for was refused), unless another claim came after it. */
  async releaseClaim(userId: string, claimed: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = updatedRows<{ status: UserStatus; tokens_valid_after: Date | null }>(
        await tx.query(`UPDATE auth.users SET version = version - 1 WHERE id = $1 AND version = $2 RETURNING status, tokens_valid_after`, [userId, claimed]),
      );
      if (rows[0]) this.changed(tx, { userId, status: rows[0].status, previousStatus: rows[0].status, tokensValidAfter: rows[0].tokens_valid_after });
    });
  }

  /** Runs `fn` in one transaction; other modules' repositories pass the manager on so their rows commit together. */
  inTransaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /** Updates plain profile columns (no status change) and records why. */
  async updateProfile(
    userId: string,
    // Not the ladder's facts or the status: those change only through `ladderWrite`, which derives the status.
    patch: Partial<Pick<UserEntity, 'email' | 'emailVerified' | 'fullName' | 'role' | 'organizationId' | 'mfaMethod' | 'mfaRequired' | 'passwordResetAt'>>,
    event?: Omit<NewUserEvent, 'userId'>,
    outer?: EntityManager,
  ): Promise<UserEntity | null> {
    return this.run(outer, async (tx) => {
      const result = await tx.getRepository(UserEntity).update({ id: userId }, patch);
      if (!result.affected) return null;
      if (event) await this.insertEvent(tx, { ...event, userId });
      const row = await tx.getRepository(UserEntity).findOneByOrFail({ id: userId });
      this.changed(tx, { userId, status: row.status, previousStatus: row.status, tokensValidAfter: row.tokensValidAfter });
      return row;
    });
  }

  /**
   * Deletes the user row (rows of other modules that reference it go by cascade) after writing `event`, in one
   * transaction: the audit trail has no foreign key, so the row recording the deletion outlives the user. False when
   * there was no such user (and nothing is recorded).
   */
  async deleteUser(userId: string, event: Omit<NewUserEvent, 'userId'>, outer?: EntityManager): Promise<boolean> {
    return this.run(outer, async (tx) => {
      const [existing] = (await tx.query(`SELECT status FROM auth.users WHERE id = $1 FOR UPDATE`, [userId])) as Array<{ status: UserStatus }>;
      if (!existing) return false;
      await this.insertEvent(tx, { ...event, userId, fromStatus: existing.status });
      await tx.query(`DELETE FROM auth.users WHERE id = $1`, [userId]);
      this.changed(tx, { userId, status: null, previousStatus: existing.status });
      return true;
    });
  }

  /** An audit row alone (no change to the user row), in the caller's transaction when given. */
  async recordEvent(event: NewUserEvent, tx?: EntityManager): Promise<void> {
    await this.insertEvent(tx ?? this.db.manager, event);
  }

  /** How many rows Gatehouse holds for users of this provider (the mirror's size, for the admin's provider page). */
  async countByProvider(authProvider: UserAuthProvider): Promise<number> {
    const rows: Array<{ n: string }> = await this.db.query('SELECT count(*) AS n FROM auth.users WHERE auth_provider = $1', [authProvider]);
    return Number(rows[0]?.n ?? 0);
  }

  eventsFor(userId: string): Promise<UserEventEntity[]> {
    return this.db.getRepository(UserEventEntity).find({ where: { userId }, order: { id: 'ASC' } });
  }

  /**
   * The one INSERT into the trail. Who asked (request id, address, user agent, role) comes from the request context,
   * so call sites stay as they are; credential-like detail values are redacted. The row's place in the hash chain is
   * sealed by the database when the transaction commits (migrations/1763861600000-audit-trail.ts).
   */
  private async insertEvent(tx: EntityManager, e: NewUserEvent): Promise<void> {
    const ctx = currentRequestContext();
    const outcome = defaultOutcome(e.type);
    const reason = e.reason !== undefined ? e.reason : typeof e.detail?.reason === 'string' ? e.detail.reason : null;
    await tx.query(
      `INSERT INTO auth.user_events (user_id, actor, type, from_status, to_status, detail, actor_role, ip, user_agent, result, result_code, request_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        e.userId,
        e.actor,
        e.type,
        e.fromStatus ?? null,
        e.toStatus ?? null,
        JSON.stringify(redactDetail(e.detail ?? {})),
        ctx?.actorRole ?? null,
        ctx?.ip ?? null,
        ctx?.userAgent ?? null,
        e.result ?? outcome.result,
        e.resultCode !== undefined ? e.resultCode : e.result && e.result !== outcome.result ? null : outcome.code,
        ctx?.requestId ?? null,
        reason?.slice(0, 500) ?? null,
      ],
    );
  }
}
