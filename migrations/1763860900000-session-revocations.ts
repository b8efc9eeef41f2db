import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions ended before their tokens expire: a refresh family revoked for reuse or because a second factor changed
 * (key `sid:<family>`), a hosted-login session logged out (key `jti:<jti>`, `sid:<origin_jti>` or `tok:<sha256>`).
 * Rows live until the last token they cover has expired. Each insert NOTIFYs the user change channel with the user's
 * id, so every instance drops its cached state for that user (and re-reads this table) within a second, exactly as for
 * the revocation watermark.
 *
 * Also: a rotated refresh token keeps its successor sealed (AES-GCM under the data key) for a short grace, so a second
 * tab refreshing with the same token gets the same successor instead of killing the family.
 */
export class SessionRevocations1763860900000 implements MigrationInterface {
  name = 'SessionRevocations1763860900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth.revoked_sessions (
        user_id    uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        key        text NOT NULL,
        reason     text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await q.query(`CREATE INDEX revoked_sessions_expires_idx ON auth.revoked_sessions (expires_at)`);
    await q.query(`
      CREATE FUNCTION auth.notify_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_user_changed', NEW.user_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER revoked_sessions_notify AFTER INSERT OR UPDATE ON auth.revoked_sessions
      FOR EACH ROW EXECUTE FUNCTION auth.notify_session_revoked()`);
    await q.query(`ALTER TABLE auth.local_refresh_tokens ADD COLUMN successor_enc text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth.local_refresh_tokens DROP COLUMN successor_enc`);
    await q.query(`DROP TRIGGER revoked_sessions_notify ON auth.revoked_sessions`);
    await q.query(`DROP FUNCTION auth.notify_session_revoked()`);
    await q.query(`DROP TABLE auth.revoked_sessions`);
  }
}
