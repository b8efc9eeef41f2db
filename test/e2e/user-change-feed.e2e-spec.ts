import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OnboardingService } from '../../src/users/onboarding/onboarding.service';
import { UserChangeListener } from '../../src/users/user-change.listener';
import { UsersService } from '../../src/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { AuthProbeModule } from '../support/auth-probe';
import { JwksIssuer } from '../support/jwks-issuer';
import { userFactory } from '../support/user-factory';

const CLIENT = 'client-feed';
/** Far longer than a loopback NOTIFY takes: anything that waits for the notice shows up as a failure. */
const LATE_MS = 400;

/**
 * The user change feed over HTTP: read-your-writes on the instance that committed (it must not wait for its own
 * NOTIFY). The cross-instance event (USER_CHANGED) is service-level: test/integration/user-change-feed.int-spec.ts.
 */
describe('user change feed', () => {
  const issuer = new JwksIssuer('local_feed');
  let a: TestApp;
  let db: DataSource;

  const env = () => ({ AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT });
  const token = (sub: string) => issuer.sign(issuer.accessClaims(sub, CLIENT));
  const get = (app: TestApp, tok: string) => request(app.url).get('/api/v1/probe/whoami').set('Authorization', `Bearer ${tok}`);
  const activeUser = async () => {
    const sub = randomUUID();
    return { sub, id: await userFactory.row(db, { issuer: issuer.issuer, subject: sub }) };
  };

  beforeAll(async () => {
    await issuer.start();
    a = await startTestApp(env(), { extra: [AuthProbeModule] });
    db = a.app.get(DataSource);
  });
  afterEach(() => a.app.get(UserChangeListener).interceptDelivery());
  afterAll(async () => {
    await a?.close();
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
});
