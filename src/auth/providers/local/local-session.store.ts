import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

type Row = Record<string, unknown>;

/** A rotated refresh token presented again: what the grace rule needs to know about it. */
export interface RotatedRefreshToken {
  /** Rotated no longer than the grace ago (measured on the database's clock). */
  withinGrace: boolean;
  /** The successor it was rotated into, sealed; null once the grace is over or for rows rotated before this existed. */
  successorEnc: string | null;
}

/** One live refresh family as a session list shows it. */
export interface LocalSessionRow {
  familyId: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/**
 * The session queries the local flows added on top of LocalAuthRepository: rotation with a sealed successor (the
 * refresh grace), the live refresh families of a user, and TOTP replacement. Kept apart so each file stays small.
 */
@Injectable()
export class LocalSessionStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Marks a refresh token used and keeps its successor sealed for the grace; false when it was already rotated or
   * revoked (a concurrent or replayed use).
   */
  async rotate(tx: EntityManager, id: string, familyId: string, successorEnc: string): Promise<boolean> {
    // Older tokens of the family are past any grace: their sealed successors have no use left.
    await tx.query(`UPDATE auth.local_refresh_tokens SET successor_enc = NULL WHERE family_id = $1 AND successor_enc IS NOT NULL AND id <> $2`, [familyId, id]);
    const rows = rowsOf(
      await tx.query(
        `UPDATE auth.local_refresh_tokens SET rotated_at = now(), successor_enc = $2
          WHERE id = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now() RETURNING id`,
        [id, successorEnc],
      ),
    );
    return rows.length === 1;
  }

  async rotated(id: string, graceS: number): Promise<RotatedRefreshToken | null> {
    const rows: Row[] = await this.db.query(
      `SELECT rotated_at > now() - make_interval(secs => $2) AS within_grace, successor_enc
         FROM auth.local_refresh_tokens WHERE id = $1 AND rotated_at IS NOT NULL AND revoked_at IS NULL`,
      [id, graceS],
    );
    const r = rows[0];
    if (!r) return null;
    return { withinGrace: r.within_grace === true, successorEnc: (r.successor_enc as string | null) ?? null };
  }

  /** The user's refresh families that can still refresh (and so may have live access tokens), but `keep`. */
  async liveFamilies(userId: string, keep: string | undefined): Promise<string[]> {
    const rows: Row[] = await this.db.query(
      `SELECT DISTINCT family_id FROM auth.local_refresh_tokens
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND ($2::uuid IS NULL OR family_id <> $2::uuid)`,
      [userId, keep ?? null],
    );
    return rows.map((r) => r.family_id as string);
  }

  /**
   * The user's live sessions, one per refresh family that can still refresh: created = its first token, last used =
   * its newest token (each refresh issues one), the device of its first sign-in and the address of its last refresh.
   */
  async sessionsOf(userId: string): Promise<LocalSessionRow[]> {
    const rows: Row[] = await this.db.query(
      `SELECT family_id,
              min(created_at) AS created_at,
              max(created_at) AS last_used_at,
              max(expires_at) AS expires_at,
              (array_agg(user_agent ORDER BY created_at ASC))[1] AS user_agent,
              (array_agg(ip ORDER BY created_at DESC))[1] AS ip
         FROM auth.local_refresh_tokens
        WHERE user_id = $1
          AND family_id IN (SELECT family_id FROM auth.local_refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now())
        GROUP BY family_id
        ORDER BY max(created_at) DESC
        LIMIT 200`,
      [userId],
    );
    return rows.map((r) => ({
      familyId: r.family_id as string,
      createdAt: r.created_at as Date,
      lastUsedAt: r.last_used_at as Date,
      expiresAt: r.expires_at as Date,
      userAgent: (r.user_agent as string | null) ?? null,
      ip: (r.ip as string | null) ?? null,
    }));
  }

  async revokeFamilies(userId: string, familyIds: string[], reason: string, tx?: EntityManager): Promise<number> {
    if (familyIds.length === 0) return 0;
    const rows = rowsOf(
      await (tx ?? this.db).query(
        `UPDATE auth.local_refresh_tokens SET revoked_at = now(), revoke_reason = $3, successor_enc = NULL
          WHERE user_id = $1 AND family_id = ANY($2::uuid[]) AND revoked_at IS NULL RETURNING id`,
        [userId, familyIds, reason],
      ),
    );
    return rows.length;
  }

  /**
   * A verified pending secret replaces the active one (re-enrolment), if it is still the one that was verified
   * (concurrent verifications: one wins). `step` is the new secret's step just used: it is spent from now on.
   */
  async replaceTotp(tx: EntityManager, userId: string, pendingSealed: string, step: number): Promise<boolean> {
    const rows = rowsOf(
      await tx.query(
        `UPDATE auth.local_credentials SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL, totp_enabled_at = now(), totp_last_step = $3, updated_at = now()
          WHERE user_id = $1 AND totp_pending_enc = $2 AND totp_secret_enc IS NOT NULL RETURNING user_id`,
        [userId, pendingSealed, step],
      ),
    );
    return rows.length === 1;
  }

  /** Failed second factors of the user in the window, across every session, and when the oldest counted one ages out. */
  async recentMfaFailures(userId: string, windowS: number, limit: number): Promise<{ count: number; retryAfterS: number }> {
    const rows: Row[] = await this.db.query(
      `SELECT count(*)::int AS n,
              COALESCE(CEIL(EXTRACT(EPOCH FROM (min(at) + make_interval(secs => $2) - now())))::int, 0) AS retry
         FROM (SELECT at FROM auth.user_events WHERE user_id = $1 AND type = 'login.mfa_failed' AND at > now() - make_interval(secs => $2)
               ORDER BY at DESC LIMIT $3) recent`,
      [userId, windowS, limit],
    );
    return { count: rows[0]!.n as number, retryAfterS: Math.max(1, rows[0]!.retry as number) };
  }
}

/** UPDATE … RETURNING through TypeORM's pg driver answers [rows, count]. */
function rowsOf(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  if (Array.isArray(result)) return result as Row[];
  throw new Error('unexpected query result shape');
}
