import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The auth schema: users keyed by (issuer, subject) — never by email alone, because two issuers may vouch for the
 * same address — and an append-only audit trail of what happened to each user.
 */
export class InitAuthSchema1763860000000 implements MigrationInterface {
  name = 'InitAuthSchema1763860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS citext`);
    await q.query(`CREATE SCHEMA IF NOT EXISTS auth`);
    await q.query(`
      CREATE TYPE auth.user_status AS ENUM (
        'pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription',
        'active', 'suspended', 'disabled', 'rejected'
      )`);
    await q.query(`
      CREATE TABLE auth.users (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email              citext UNIQUE,
        issuer             text NOT NULL,
        subject            text NOT NULL,
        auth_provider      text NOT NULL CHECK (auth_provider IN ('local', 'cognito', 'oidc', 'bridge', 'dev')),
        status             auth.user_status NOT NULL DEFAULT 'pending_verification',
        role               text NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'auditor', 'user')),
        full_name          text,
        email_verified     boolean NOT NULL DEFAULT false,
        mfa_method         text CHECK (mfa_method IN ('totp', 'sms')),
        mfa_enrolled_at    timestamptz,
        mfa_required       boolean NOT NULL DEFAULT false,
        password_reset_at  timestamptz,
        organization_id    text,
        stripe_customer_id text UNIQUE,
        tokens_valid_after timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_issuer_subject_key UNIQUE (issuer, subject)
      )`);
    // No foreign key on purpose: the audit trail must outlive a deleted user row.
    await q.query(`
      CREATE TABLE auth.user_events (
        id          bigserial PRIMARY KEY,
        user_id     uuid NOT NULL,
        actor       text NOT NULL,
        type        text NOT NULL,
        from_status auth.user_status,
        to_status   auth.user_status,
        detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX user_events_user_at_idx ON auth.user_events (user_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.user_events`);
    await q.query(`DROP TABLE auth.users`);
    await q.query(`DROP TYPE auth.user_status`);
  }
}
