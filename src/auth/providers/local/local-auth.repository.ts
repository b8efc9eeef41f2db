import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ChallengeKind, CodePurpose, LocalCredentials, Row, SessionClient, StoredChallenge, StoredCode, StoredRefreshToken } from './local-auth.records';
import { rowsOf } from './local-auth.records';

export type { ChallengeKind, CodePurpose, LocalCredentials, SessionClient, StoredChallenge, StoredCode, StoredRefreshToken } from './local-auth.records';

/**
 * The local provider's persistence for its flows: credentials, mailed codes, refresh-token families, MFA challenges,
 * recovery codes and development secrets (the admin directory's reads are LocalDirectoryRepository's). Every single-use or limited thing is consumed by one conditional UPDATE, so two concurrent
 * requests can never both spend it.
 */
@Injectable()
export class LocalAuthRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private q(tx?: EntityManager): EntityManager {
    return tx ?? this.db.manager;
  }

  // ---- credentials ------------------------------------------------------------------------------------------------

  async insertCredentials(tx: EntityManager, userId: string, passwordHash: string, mustChangePassword = false): Promise<void> {
    await tx.query(`INSERT INTO auth.local_credentials (user_id, password_hash, must_change_password) VALUES ($1, $2, $3)`, [userId, passwordHash, mustChangePassword]);
  }

  async credentials(userId: string): Promise<LocalCredentials | null> {
    const rows: Row[] = await this.db.query(`SELECT * FROM auth.local_credentials WHERE user_id = $1`, [userId]);
    const r = rows[0];
    if (!r) return null;
    return {
      userId: r.user_id as string,
      passwordHash: r.password_hash as string,
      passwordChangedAt: r.password_changed_at as Date,
      totpSecretEnc: (r.totp_secret_enc as string | null) ?? null,
      totpPendingEnc: (r.totp_pending_enc as string | null) ?? null,
      totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
      totpEnabledAt: (r.totp_enabled_at as Date | null) ?? null,
      mustChangePassword: r.must_change_password === true,
    };
  }

  /** A login found the hash made with weaker parameters: store the stronger one unless the password changed meanwhile. */
  async rehashPassword(userId: string, oldHash: string, newHash: string): Promise<void> {
    await this.db.query(`UPDATE auth.local_credentials SET password_hash = $3, updated_at = now() WHERE user_id = $1 AND password_hash = $2`, [userId, oldHash, newHash]);
  }

  /**
   * Replaces the password. `mustChange` marks it temporary (an administrator knows it); any other new password is the
   * user's own, so by default the flag is cleared (a reset through a mailed code also ends FORCE_CHANGE_PASSWORD).
   */
  async setPassword(tx: EntityManager, userId: string, passwordHash: string, mustChange = false): Promise<void> {
    await tx.query(
      `UPDATE auth.local_credentials SET password_hash = $2, must_change_password = $3, password_changed_at = clock_timestamp(), updated_at = now() WHERE user_id = $1`,
      [userId, passwordHash, mustChange],
    );
  }

  async setPendingTotp(userId: string, sealed: string): Promise<void> {
    await this.db.query(`UPDATE auth.local_credentials SET totp_pending_enc = $2, updated_at = now() WHERE user_id = $1`, [userId, sealed]);
  }

  /**
   * Records `step` as the last TOTP step used, only if it is later than the one recorded: the atomic heart of replay
   * protection (two concurrent submissions of one code cannot both get a row back).
   */
  async consumeTotpStep(userId: string, step: number, tx?: EntityManager): Promise<boolean> {
    const rows = rowsOf(
      await this.q(tx).query(
        `UPDATE auth.local_credentials SET totp_last_step = $2, updated_at = now()
          WHERE user_id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING user_id`,
        [userId, step],
      ),
    );
    return rows.length === 1;
  }

  /** Pending secret becomes the active one, if it is still the secret that was verified (no concurrent re-enrolment). */
  async enableTotp(tx: EntityManager, userId: string, pendingSealed: string): Promise<boolean> {
    const rows = rowsOf(
      await tx.query(
        `UPDATE auth.local_credentials SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL, totp_enabled_at = now(), updated_at = now()
          WHERE user_id = $1 AND totp_pending_enc = $2 AND totp_secret_enc IS NULL RETURNING user_id`,
        [userId, pendingSealed],
      ),
    );
    return rows.length === 1;
  }

  async disableTotp(tx: EntityManager, userId: string): Promise<void> {
    await tx.query(
      `UPDATE auth.local_credentials SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_enabled_at = NULL, updated_at = now() WHERE user_id = $1`,
      [userId],
    );
    await tx.query(`DELETE FROM auth.local_recovery_codes WHERE user_id = $1`, [userId]);
  }

  // ---- mailed codes -----------------------------------------------------------------------------------------------

  /** Issues a code; earlier unused codes of the same purpose stop working, so only the latest mail counts. */
  async issueCode(userId: string, purpose: CodePurpose, address: string, codeHash: string, linkHash: string | null, ttlS: number, tx?: EntityManager): Promise<void> {
    const m = this.q(tx);
    await m.query(`UPDATE auth.local_codes SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [userId, purpose]);
    await m.query(
      `INSERT INTO auth.local_codes (user_id, purpose, address, code_hash, link_hash, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [userId, purpose, address, codeHash, linkHash, ttlS],
    );
  }

  /**
   * The latest code of `purpose` for the user and address, with one attempt counted against it atomically; null when
   * there is none or its attempts are spent.
   */
  async takeCodeAttempt(userId: string, purpose: CodePurpose, address: string, maxAttempts: number): Promise<StoredCode | null> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE auth.local_codes c SET attempts = c.attempts + 1
           FROM (SELECT id FROM auth.local_codes WHERE user_id = $1 AND purpose = $2 AND address = $3 ORDER BY created_at DESC LIMIT 1) latest
          WHERE c.id = latest.id AND c.attempts < $4
          RETURNING c.id, c.code_hash, c.attempts, c.expires_at <= now() AS expired, c.used_at IS NOT NULL AS used`,
        [userId, purpose, address, maxAttempts],
      ),
    );
    const r = rows[0];
    return r ? { id: r.id as string, codeHash: r.code_hash as string, attempts: r.attempts as number, expired: r.expired as boolean, used: r.used as boolean } : null;
  }

  /**
   * As takeCodeAttempt, and also refused once the user has made `maxPerDay` attempts at codes of this purpose in the
   * last 24 hours, across codes: a fresh code (one more mail) must not buy five more guesses for ever. Called with a
   * user id that matches nothing for unknown addresses, so both paths do the same round trip.
   */
  async takeCodeAttemptWithinDay(userId: string, purpose: CodePurpose, address: string, maxAttempts: number, maxPerDay: number): Promise<StoredCode | null> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE auth.local_codes c SET attempts = c.attempts + 1
           FROM (SELECT id FROM auth.local_codes WHERE user_id = $1 AND purpose = $2 AND address = $3 ORDER BY created_at DESC LIMIT 1) latest
          WHERE c.id = latest.id AND c.attempts < $4
            AND (SELECT coalesce(sum(d.attempts), 0) FROM auth.local_codes d
                  WHERE d.user_id = $1 AND d.purpose = $2 AND d.created_at > now() - interval '24 hours') < $5
          RETURNING c.id, c.code_hash, c.attempts, c.expires_at <= now() AS expired, c.used_at IS NOT NULL AS used`,
        [userId, purpose, address, maxAttempts, maxPerDay],
      ),
    );
    const r = rows[0];
    return r ? { id: r.id as string, codeHash: r.code_hash as string, attempts: r.attempts as number, expired: r.expired as boolean, used: r.used as boolean } : null;
  }

  /**
   * Everything a person who never proved the mailbox may have left on an unverified account: TOTP (pending or
   * active), recovery codes, refresh tokens and half-finished sign-ins. Used when the account is re-registered or
   * verified, so whoever proves the mailbox starts from nothing of the earlier registrant's.
   */
  async wipeUnprovenAccess(tx: EntityManager, userId: string): Promise<void> {
    await this.disableTotp(tx, userId);
    await tx.query(`UPDATE auth.local_credentials SET totp_last_step = NULL WHERE user_id = $1`, [userId]);
    await this.revokeAllRefreshTokens(userId, 'unverified_account_replaced', tx);
    await tx.query(`UPDATE auth.local_mfa_challenges SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [userId]);
  }

  /** Spends a code: true for exactly one caller. */
  async useCode(id: string, tx?: EntityManager): Promise<boolean> {
    const rows = rowsOf(await this.q(tx).query(`UPDATE auth.local_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING id`, [id]));
    return rows.length === 1;
  }

  /** Spends the code behind a mailed link, if valid; returns its user and address. */
  async useLink(purpose: CodePurpose, linkHash: string): Promise<{ userId: string; address: string } | null> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE auth.local_codes SET used_at = now() WHERE link_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id, address`,
        [linkHash, purpose],
      ),
    );
    const r = rows[0];
    return r ? { userId: r.user_id as string, address: r.address as string } : null;
  }

  // ---- refresh tokens ---------------------------------------------------------------------------------------------

  /** `client`: the device and address the token is issued to (shown in the user's session list). */
  async insertRefreshToken(userId: string, familyId: string, tokenHash: string, ttlS: number, tx?: EntityManager, client?: SessionClient): Promise<void> {
    await this.q(tx).query(
      `INSERT INTO auth.local_refresh_tokens (user_id, family_id, token_hash, expires_at, user_agent, ip) VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6)`,
      [userId, familyId, tokenHash, ttlS, client?.userAgent?.slice(0, 300) ?? null, client?.ip ?? null],
    );
  }

  async findRefreshToken(tokenHash: string): Promise<StoredRefreshToken | null> {
    const rows: Row[] = await this.db.query(
      `SELECT id, user_id, family_id, created_at, expires_at <= now() AS expired, rotated_at IS NOT NULL AS rotated, revoked_at IS NOT NULL AS revoked
         FROM auth.local_refresh_tokens WHERE token_hash = $1`,
      [tokenHash],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id as string,
      userId: r.user_id as string,
      familyId: r.family_id as string,
      createdAt: r.created_at as Date,
      expired: r.expired as boolean,
      rotated: r.rotated as boolean,
      revoked: r.revoked as boolean,
    };
  }

  /** Marks a refresh token used; false when it was already rotated or revoked (a concurrent or replayed use). */
  async rotateRefreshToken(tx: EntityManager, id: string): Promise<boolean> {
    const rows = rowsOf(
      await tx.query(`UPDATE auth.local_refresh_tokens SET rotated_at = now() WHERE id = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now() RETURNING id`, [id]),
    );
    return rows.length === 1;
  }

  async revokeFamily(familyId: string, reason: string): Promise<number> {
    const rows = rowsOf(await this.db.query(`UPDATE auth.local_refresh_tokens SET revoked_at = now(), revoke_reason = $2 WHERE family_id = $1 AND revoked_at IS NULL RETURNING id`, [familyId, reason]));
    return rows.length;
  }

  async revokeAllRefreshTokens(userId: string, reason: string, tx?: EntityManager): Promise<number> {
    const rows = rowsOf(
      await this.q(tx).query(`UPDATE auth.local_refresh_tokens SET revoked_at = now(), revoke_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [userId, reason]),
    );
    return rows.length;
  }

  // ---- MFA challenges ---------------------------------------------------------------------------------------------

  async insertChallenge(userId: string, secretHash: string, ttlS: number, kind: ChallengeKind = 'mfa'): Promise<string> {
    const rows: Row[] = await this.db.query(
      `INSERT INTO auth.local_mfa_challenges (user_id, secret_hash, expires_at, kind) VALUES ($1, $2, now() + make_interval(secs => $3), $4) RETURNING id`,
      [userId, secretHash, ttlS, kind],
    );
    return rows[0]!.id as string;
  }

  /** Counts one attempt against a live challenge; null when it is unknown, expired, used or out of attempts. */
  async takeChallengeAttempt(id: string, maxAttempts: number): Promise<StoredChallenge | null> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE auth.local_mfa_challenges SET attempts = attempts + 1
          WHERE id = $1 AND used_at IS NULL AND expires_at > now() AND attempts < $2
          RETURNING id, user_id, secret_hash, created_at, kind`,
        [id, maxAttempts],
      ),
    );
    const r = rows[0];
    return r
      ? { id: r.id as string, userId: r.user_id as string, secretHash: r.secret_hash as string, createdAt: r.created_at as Date, kind: r.kind as ChallengeKind }
      : null;
  }

  async useChallenge(id: string, tx?: EntityManager): Promise<boolean> {
    const rows = rowsOf(await this.q(tx).query(`UPDATE auth.local_mfa_challenges SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id`, [id]));
    return rows.length === 1;
  }

  // ---- recovery codes ---------------------------------------------------------------------------------------------

  async replaceRecoveryCodes(tx: EntityManager, userId: string, hashes: string[]): Promise<void> {
    await tx.query(`DELETE FROM auth.local_recovery_codes WHERE user_id = $1`, [userId]);
    await tx.query(`INSERT INTO auth.local_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])`, [userId, hashes]);
  }

  /** Spends a recovery code: true for exactly one caller. */
  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const rows = rowsOf(
      await this.db.query(`UPDATE auth.local_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`, [userId, codeHash]),
    );
    return rows.length === 1;
  }

  async remainingRecoveryCodes(userId: string): Promise<number> {
    const rows: Row[] = await this.db.query(`SELECT count(*)::int AS n FROM auth.local_recovery_codes WHERE user_id = $1 AND used_at IS NULL`, [userId]);
    return rows[0]!.n as number;
  }

  // ---- development secrets ----------------------------------------------------------------------------------------

  /** The stored value for `name`, creating it from `make()` on first use; concurrent first starts agree on one value. */
  async devSecret(name: string, make: () => string): Promise<string> {
    const existing: Row[] = await this.db.query(`SELECT value FROM auth.local_dev_secrets WHERE name = $1`, [name]);
    if (existing[0]) return existing[0].value as string;
    await this.db.query(`INSERT INTO auth.local_dev_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, make()]);
    const rows: Row[] = await this.db.query(`SELECT value FROM auth.local_dev_secrets WHERE name = $1`, [name]);
    return rows[0]!.value as string;
  }
}
