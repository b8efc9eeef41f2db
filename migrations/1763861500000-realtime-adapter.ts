import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The socket.io Postgres adapter's table: a cross-instance emit travels as NOTIFY, and a payload over NOTIFY's 8,000
 * bytes (or with binary parts) is stored here and the notice carries its id. Rows are swept by the adapter after 30 s.
 */
export class RealtimeAdapter1763861500000 implements MigrationInterface {
  name = 'RealtimeAdapter1763861500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE auth.socket_io_attachments (id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.socket_io_attachments`);
  }
}
