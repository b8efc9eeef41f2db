import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a session list shows about a local refresh family (issue #15, Sessions): the device (user agent) and the
 * address each refresh token was issued to. A family's created time is its first token's, its last use the newest
 * token's (each refresh issues one), so no per-family table is needed. Rows written before this have neither: the
 * list shows them as unknown. Both are capped when written (user agent 300 characters).
 */
export class SessionDetails1763861700000 implements MigrationInterface {
  name = 'SessionDetails1763861700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth.local_refresh_tokens ADD COLUMN user_agent text, ADD COLUMN ip text`);
    // The list groups a user's live tokens by family; the existing user index is partial on revoked_at IS NULL.
    await q.query(`CREATE INDEX local_refresh_tokens_user_family_idx ON auth.local_refresh_tokens (user_id, family_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX auth.local_refresh_tokens_user_family_idx`);
    await q.query(`ALTER TABLE auth.local_refresh_tokens DROP COLUMN user_agent, DROP COLUMN ip`);
  }
}
