import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency for POST /api/v1/admin/users/bulk: one row per (administrator, Idempotency-Key), holding a hash of the
 * request and, once it ran, the answer. A replay with the same key returns the stored answer and applies nothing; a
 * concurrent replay waits on the row (its INSERT blocks on the first request's uncommitted one) and then does the
 * same. Dry runs write nothing here. Rows older than a day can be pruned freely: the key space is the admin's.
 */
export class AdminBulkRequests1763861710000 implements MigrationInterface {
  name = 'AdminBulkRequests1763861710000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth.admin_bulk_requests (
        admin_id     uuid NOT NULL,
        idem_key     text NOT NULL,
        request_hash text NOT NULL,
        answer       jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (admin_id, idem_key)
      )`);
    await q.query(`CREATE INDEX admin_bulk_requests_created_idx ON auth.admin_bulk_requests (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.admin_bulk_requests`);
  }
}
