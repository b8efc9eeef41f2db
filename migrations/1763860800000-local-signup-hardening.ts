import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-up and sign-in hardening (issue #9):
 * - an unverified account (`pending_verification`: nobody has proved the mailbox yet) can never hold a second factor.
 *   A trigger refuses a TOTP secret (pending or active) or recovery codes for such a user, whatever code path tries:
 *   otherwise an attacker who pre-registered a victim's address could plant a factor that outlives the takeover fix.
 * - `auth.login_failures`: failed sign-ins per (address, client) and per address, counted in Postgres so that only
 *   failures count, a success clears its client's count, and every instance sees the same numbers. Keys are SHA-256
 *   hashes: addresses and IPs are not stored in clear.
 */
export class LocalSignupHardening1763860800000 implements MigrationInterface {
  name = 'LocalSignupHardening1763860800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION auth.refuse_factor_while_unverified() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'local_credentials' THEN
          IF NEW.totp_secret_enc IS NULL AND NEW.totp_pending_enc IS NULL THEN
            RETURN NEW;
          END IF;
        END IF;
        IF EXISTS (SELECT 1 FROM auth.users u WHERE u.id = NEW.user_id AND u.status = 'pending_verification') THEN
          RAISE EXCEPTION 'second factor refused: account % is unverified', NEW.user_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER local_credentials_no_factor_while_unverified
        BEFORE INSERT OR UPDATE OF totp_secret_enc, totp_pending_enc ON auth.local_credentials
        FOR EACH ROW EXECUTE FUNCTION auth.refuse_factor_while_unverified()`);
    await q.query(`
      CREATE TRIGGER local_recovery_codes_no_factor_while_unverified
        BEFORE INSERT ON auth.local_recovery_codes
        FOR EACH ROW EXECUTE FUNCTION auth.refuse_factor_while_unverified()`);
    await q.query(`
      CREATE TABLE auth.login_failures (
        key             text PRIMARY KEY,
        failures        int NOT NULL,
        window_ends_at  timestamptz NOT NULL,
        last_failure_at timestamptz NOT NULL,
        locked_until    timestamptz,
        notified_at     timestamptz
      )`);
    await q.query(`CREATE INDEX login_failures_window_idx ON auth.login_failures (window_ends_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.login_failures`);
    await q.query(`DROP TRIGGER local_recovery_codes_no_factor_while_unverified ON auth.local_recovery_codes`);
    await q.query(`DROP TRIGGER local_credentials_no_factor_while_unverified ON auth.local_credentials`);
    await q.query(`DROP FUNCTION auth.refuse_factor_while_unverified()`);
  }
}
