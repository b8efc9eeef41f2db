import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OnboardingService } from '../../src/users/onboarding/onboarding.service';
import { UserChangeListener } from '../../src/users/user-change.listener';
import { USER_CHANGED, type UserChanged } from '../../src/users/user-events';
import { UsersService } from '../../src/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { AuthProbeModule } from '../support/auth-probe';
import { JwksIssuer } from '../support/jwks-issuer';
import { insertUser } from '../support/users';

const CLIENT = 'client-feed';
/** Far longer than a loopback NOTIFY takes: anything that waits for the notice shows up as a failure. */
const LATE_MS = 400;

/**
 * The user change feed: read-your-writes on the instance that committed (it must not wait for its own NOTIFY), and
 * the one domain event (USER_CHANGED) that fires on every instance for every committed change, with the new state in
 * the payload so listeners need not reload the row.
 */
describe('user change feed', () => {
  const issuer = new JwksIssuer('local_feed');
  let a: TestApp;
  let b: TestApp;
  let db: DataSource;

  const env = () => ({ AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT });
  const token = (sub: string) => issuer.sign(issuer.accessClaims(sub, CLIENT));
  const get = (app: TestApp, tok: string) => request(app.url).get('/api/v1/probe/whoami').set('Authorization', `Bearer ${tok}`);
  const activeUser = async () => {
    const sub = randomUUID();
    return { sub, id: await insertUser(db, issuer.issuer, sub, 'active') };
  };
  /** Resolves with the first USER_CHANGED `app` emits for `userId` that passes `match`. */
  const nextChange = (app: TestApp, userId: string, match: (e: UserChanged) => boolean = () => true) =>
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
    await issuer.start();
    a = await startTestApp(env(), { extra: [AuthProbeModule] });
    b = await startTestApp(env(), { extra: [AuthProbeModule] });
    db = a.app.get(DataSource);
  });
  afterEach(() => a.app.get(UserChangeListener).interceptDelivery());
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await issuer.stop();
  });

  describe('read your own writes: the committing instance never waits for its own notice', () => {
    const late = () => a.app.get(UserChangeListener).interceptDelivery((emit) => setTimeout(emit, LATE_MS));

    it('sign-out everywhere: the cached user is refused on the very next request', async () => {
      const { sub, id } = await activeUser();
      const old = token(sub);
      await get(a, old).expect(200); // cached on a
      late();
      await a.app.get(UsersService).revokeTokens(id, `user:${id}`, 'sign_out');
      const res = await get(a, old);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_TOKEN_REVOKED');
    });

    it('suspension: the cached active user is refused on the very next request', async () => {
      const { sub, id } = await activeUser();
      const old = token(sub);
      await get(a, old).expect(200);
      late();
      await a.app.get(OnboardingService).apply(id, 'SUSPENDED', 'admin:test');
      expect((await get(a, old)).status).toBe(401);
    });
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
