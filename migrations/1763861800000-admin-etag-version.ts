import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `auth.users.version`: a counter the admin API's `If-Match` claims. The ETag is a hash over the fields an
 * administrator decides on plus this counter; an action with `If-Match` compares the ETag under the row lock and
 * bumps the counter in the same transaction, so two administrators holding the same ETag cannot both act (the second
 * sees the new counter and gets 412). Nothing else writes it.
 *
 * `auth.login_failures.address_key`: a per-client counter row names the address it counts for, so an administrator
 * can see how many clients are locked out of one account (the client key hashes the IP in, and cannot be rebuilt).
 */
export class AdminEtagVersion1763861800000 implements MigrationInterface {
  name = 'AdminEtagVersion1763861800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth.users ADD COLUMN version integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE auth.login_failures ADD COLUMN address_key text`);
    await q.query(`CREATE INDEX login_failures_address_idx ON auth.login_failures (address_key) WHERE address_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX auth.login_failures_address_idx`);
    await q.query(`ALTER TABLE auth.login_failures DROP COLUMN address_key`);
    await q.query(`ALTER TABLE auth.users DROP COLUMN version`);
  }
}
