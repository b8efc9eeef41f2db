import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The user change notice carries the new state, `{"id", "status", "old_status", "tokens_valid_after"}` (status null
 * for a deleted row), so listeners on other instances (sockets, the realtime gateway) need not reload the row to
 * learn what happened. A revoked session announces `{"id", "sessions": true}` on the same channel: the user's status
 * did not change, their sessions did. Payloads stay far below NOTIFY's 8000-byte limit. Inserts notify too (old_status
 * null): "every committed change" includes a new user.
 */
export class UserChangePayload1763861000000 implements MigrationInterface {
  name = 'UserChangePayload1763861000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION auth.notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('gatehouse_user_changed', json_build_object(
            'id', OLD.id, 'status', NULL, 'old_status', OLD.status, 'tokens_valid_after', OLD.tokens_valid_after)::text);
        ELSE
          PERFORM pg_notify('gatehouse_user_changed', json_build_object(
            'id', NEW.id, 'status', NEW.status, 'old_status', OLD.status, 'tokens_valid_after', NEW.tokens_valid_after)::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER users_notify_changed ON auth.users`);
    await q.query(`
      CREATE TRIGGER users_notify_changed AFTER INSERT OR UPDATE OR DELETE ON auth.users
      FOR EACH ROW EXECUTE FUNCTION auth.notify_user_changed()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION auth.notify_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_user_changed', json_build_object('id', NEW.user_id, 'sessions', true)::text);
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER users_notify_changed ON auth.users`);
    await q.query(`
      CREATE TRIGGER users_notify_changed AFTER UPDATE OR DELETE ON auth.users
      FOR EACH ROW EXECUTE FUNCTION auth.notify_user_changed()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION auth.notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_user_changed', COALESCE(NEW.id, OLD.id)::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION auth.notify_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_user_changed', NEW.user_id::text);
        RETURN NULL;
      END $$`);
  }
}
