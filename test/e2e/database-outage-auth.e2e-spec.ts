import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestApp, testDatabaseUrl, TestApp } from '../support/app';
import { AuthProbeModule } from '../support/auth-probe';
import { JwksIssuer } from '../support/jwks-issuer';
import { TcpProxy } from '../support/tcp-proxy';

const CLIENT = 'client-outage';

/**
 * While the database is down, a caller with a good token must not be told its token is bad: a 401 makes clients
 * throw their session away (sign the user out) for what is a passing outage. The guard's slow path needs the
 * database (the user row, the revocation watermark), so it answers 503 DATABASE_UNAVAILABLE, and admits the caller
 * again once the database is back.
 */
describe('authentication while the database is down', () => {
  const issuer = new JwksIssuer('local_outage');
  let proxy: TcpProxy;
  let t: TestApp;
  const token = () => issuer.sign(issuer.accessClaims(randomUUID(), CLIENT, { email: `${randomUUID()}@example.com` }));
  const whoami = (tok: string) => request(t.url).get('/api/v1/probe/whoami').set('Authorization', `Bearer ${tok}`);

  beforeAll(async () => {
    await issuer.start();
    const p = await TcpProxy.forUrl(testDatabaseUrl());
    proxy = p.proxy;
    t = await startTestApp(
      { AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT, JWT_SECRET_KEY: 'bridge-secret-for-tests-0123456789abcdef', JWT_SECRET_ISSUER: 'urn:test:bridge' },
      { extra: [AuthProbeModule], databaseUrl: p.url },
    );
  });
  afterAll(async () => {
    await t.close();
    await proxy.cut();
    await issuer.stop();
  });

  it('a valid token the server has not seen yet gets 503 DATABASE_UNAVAILABLE, not 401, and is admitted once the database is back', async () => {
    const tok = token();
    await proxy.cut();
    const down = await whoami(tok);
    expect([down.status, down.body.error?.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    await proxy.restore();
    const up = await whoami(tok);
    expect(up.status).not.toBe(401);
    expect(up.status).not.toBe(503);
  }, 60_000);

  it('a bad token is still 401 while the database is down (verification needs no database)', async () => {
    await proxy.cut();
    const bad = await whoami(`${token()}x`);
    expect([bad.status, bad.body.error?.code]).toEqual([401, 'AUTH_TOKEN_INVALID']);
    await proxy.restore();
  }, 60_000);
});
