import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { OnboardingService } from '../../src/users/onboarding/onboarding.service';
import { USER_CHANGED, type UserChanged } from '../../src/users/user-events';
import { UsersService } from '../../src/users/users.service';
import { startServices, TestServices } from '../support/services';
import { userFactory } from '../support/user-factory';

/**
 * The one domain event (USER_CHANGED) fires on every instance for every committed change, with the new state in the
 * payload so listeners need not reload the row. Two service instances on one database; no HTTP.
 */
describe('user change feed across instances', () => {
  let a: TestServices;
  let b: TestServices;
  let db: DataSource;

  const activeUser = async () => ({ id: await userFactory.row(db, { issuer: 'urn:test:feed' }) });
  /** Resolves with the first USER_CHANGED `app` emits for `userId` that passes `match`. */
  const nextChange = (app: TestServices, userId: string, match: (e: UserChanged) => boolean = () => true) =>
    new Promise<UserChanged>((resolve, reject) => {
      const events = app.app.get(EventEmitter2);
      const timer = setTimeout(() => reject(new Error(`no USER_CHANGED for ${userId}`)), 3_000);
      const on = (e: UserChanged) => {
        if (e.userId !== userId || !match(e)) return;
        clearTimeout(timer);
        events.off(USER_CHANGED, on);
        resolve(e);
      };
      events.on(USER_CHANGED, on);
    });

  beforeAll(async () => {
    a = await startServices();
    b = await startServices();
    db = a.app.get(DataSource);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  describe('USER_CHANGED fires on every instance for every committed change', () => {
    it('a suspension committed on A fires the event on B, carrying the new and old status and the watermark', async () => {
      const { id } = await activeUser();
      const onB = nextChange(b, id, (e) => e.status !== 'active'); // not the insert's own notice
      await a.app.get(OnboardingService).apply(id, 'SUSPENDED', 'admin:test');
      const e = await onB;
      const row = ((await db.query(`SELECT tokens_valid_after FROM auth.users WHERE id = $1`, [id])) as Array<{ tokens_valid_after: Date }>)[0]!;
      expect(e).toMatchObject({ userId: id, status: 'suspended', previousStatus: 'active', source: 'feed' });
      expect(e.tokensValidAfter?.getTime()).toBe(row.tokens_valid_after.getTime());
    });

    it('fires on the committing instance right after commit, and again from the feed (at least once)', async () => {
      const { id } = await activeUser();
      const local = nextChange(a, id, (e) => e.source === 'local' && e.previousStatus !== null);
      const echoed = nextChange(a, id, (e) => e.source === 'feed' && e.previousStatus !== null);
      await a.app.get(UsersService).revokeTokens(id, 'user:x', 'sign_out');
      expect(await local).toMatchObject({ userId: id, status: 'active', previousStatus: 'active' });
      expect(await echoed).toMatchObject({ userId: id, status: 'active' });
    });

    it('a change made outside the app (psql) and a session revocation reach B too', async () => {
      const { id } = await activeUser();
      const byHand = nextChange(b, id, (e) => e.previousStatus !== null);
      await db.query(`UPDATE auth.users SET full_name = 'by hand' WHERE id = $1`, [id]);
      expect(await byHand).toMatchObject({ userId: id, status: 'active', previousStatus: 'active', source: 'feed' });
      const session = nextChange(b, id, (e) => e.sessions === true);
      await db.query(`INSERT INTO auth.revoked_sessions (user_id, key, reason, expires_at) VALUES ($1, 'sid:x', 'test', now() + interval '1 hour')`, [id]);
      expect(await session).toMatchObject({ userId: id, source: 'feed' });
    });

    it('a deleted user fires with status null', async () => {
      const { id } = await activeUser();
      const onB = nextChange(b, id, (e) => e.status === null);
      await a.app.get(UsersService).deleteUser(id, { actor: 'admin:test', type: 'admin.user_deleted' });
      expect(await onB).toMatchObject({ userId: id, status: null, previousStatus: 'active' });
    });
  });
});
