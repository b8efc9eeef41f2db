import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The local provider's own tables. Everything secret is stored as a hash (passwords: argon2id; codes, reset links,
 * refresh tokens, recovery codes, challenge sessions: keyed HMAC-SHA-256) or encrypted (TOTP secrets: AES-256-GCM),
 * so a copy of the database alone lets nobody sign in.
 */
export class LocalProvider1763860200000 implements MigrationInterface {
  name = 'LocalProvider1763860200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth.local_credentials (
        user_id             uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
        password_hash       text NOT NULL,
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        totp_secret_enc     text,
        totp_pending_enc    text,
        totp_last_step      bigint,
        totp_enabled_at     timestamptz,
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per code or link sent. `address` binds it to the email it was mailed to: a code sent before an address
    // change does not verify the new address.
    await q.query(`
      CREATE TABLE auth.local_codes (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id     uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        purpose     text NOT NULL CHECK (purpose IN ('email_verification', 'password_reset')),
        address     citext NOT NULL,
        code_hash   text NOT NULL,
        link_hash   text UNIQUE,
        attempts    int NOT NULL DEFAULT 0,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX local_codes_user_purpose_idx ON auth.local_codes (user_id, purpose, created_at DESC)`);
    await q.query(`
      CREATE TABLE auth.local_refresh_tokens (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id       uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        family_id     uuid NOT NULL,
        token_hash    text NOT NULL UNIQUE,
        expires_at    timestamptz NOT NULL,
        rotated_at    timestamptz,
        revoked_at    timestamptz,
        revoke_reason text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX local_refresh_tokens_family_idx ON auth.local_refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX local_refresh_tokens_user_idx ON auth.local_refresh_tokens (user_id) WHERE revoked_at IS NULL`);
    // The state between the password step and the second factor: short-lived, single-purpose, few attempts.
    await q.query(`
      CREATE TABLE auth.local_mfa_challenges (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id     uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        secret_hash text NOT NULL,
        attempts    int NOT NULL DEFAULT 0,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE auth.local_recovery_codes (
        id         bigserial PRIMARY KEY,
        user_id    uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        code_hash  text NOT NULL,
        used_at    timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, code_hash)
      )`);
    // Development only: the signing key and data key generated on first start when none is configured, so tokens
    // and encrypted TOTP secrets survive restarts. Production configures both and never writes here.
    await q.query(`
      CREATE TABLE auth.local_dev_secrets (
        name       text PRIMARY KEY,
        value      text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.local_dev_secrets`);
    await q.query(`DROP TABLE auth.local_recovery_codes`);
    await q.query(`DROP TABLE auth.local_mfa_challenges`);
    await q.query(`DROP TABLE auth.local_refresh_tokens`);
    await q.query(`DROP TABLE auth.local_codes`);
    await q.query(`DROP TABLE auth.local_credentials`);
  }
}
