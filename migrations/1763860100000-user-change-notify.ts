import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to a user row is announced on the `gatehouse_user_changed` channel after commit, whoever made it
 * (the app, an admin with psql, another instance). Each instance LISTENs and drops its cached state for that user,
 * so revocation, suspension and role changes take effect everywhere within a second.
 */
export class UserChangeNotify1763860100000 implements MigrationInterface {
  name = 'UserChangeNotify1763860100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION auth.notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_user_changed', COALESCE(NEW.id, OLD.id)::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER users_notify_changed AFTER UPDATE OR DELETE ON auth.users
      FOR EACH ROW EXECUTE FUNCTION auth.notify_user_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER users_notify_changed ON auth.users`);
    await q.query(`DROP FUNCTION auth.notify_user_changed()`);
  }
}
