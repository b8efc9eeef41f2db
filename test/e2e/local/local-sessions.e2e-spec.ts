import { decode as decodeJwt } from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { startSmtpCapture, SmtpCapture } from '../../support/smtp-capture';
import { waitFor } from '../../support/wait-for';

/**
 * Issue #9 items 10 and 20, on two instances sharing one database (two replicas behind a load balancer): a revoked
 * refresh family takes its live access tokens with it, everywhere; two tabs refreshing at once do not kill the family,
 * while a replay outside the grace still does.
 */
describe('local provider: sessions (refresh families) across instances', () => {
  let smtp: SmtpCapture;
  let a: TestApp;
  let b: TestApp;
  let apiA: JsonClient;
  let apiB: JsonClient;
  let db: DataSource;
  let n = 0;
  const PASSWORD = 'correct horse battery staple';

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    const env = { SMTP_URL: smtp.url, RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '1000' };
    a = await startTestApp(env);
    // The same signing and data keys on both, as in production (development keeps them in the shared database).
    b = await startTestApp(env);
    apiA = new JsonClient(a.url);
    apiB = new JsonClient(b.url);
    db = a.app.get(DataSource);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await smtp?.close();
  });

  async function signedIn(): Promise<Record<string, string>> {
    const address = `sessions${++n}.${Date.now()}@example.com`;
    await apiA.post('/api/v1/auth/register', { email: address, password: PASSWORD });
    const code = /code is (\d{6})/.exec((await smtp.waitFor(address)).text)![1]!;
    expect((await apiA.post('/api/v1/auth/confirm-email', { email: address, code })).status).toBe(200);
    const res = await apiA.post<Record<string, string>>('/api/v1/auth/login', { email: address, password: PASSWORD });
    expect(res.status).toBe(200);
    return res.body;
  }
  const refresh = (api: JsonClient, refreshToken: string) => api.post<Record<string, string>>('/api/v1/auth/refresh', { refreshToken });
  const me = (api: JsonClient, token: string) => api.get('/api/v1/users/me', token);

  it('access tokens carry their session (the refresh family) as `sid`, kept across refreshes', async () => {
    const first = await signedIn();
    const next = (await refresh(apiA, first.refreshToken!)).body;
    const sid = (t: string) => (decodeJwt(t) as Record<string, unknown>).sid;
    expect(sid(first.accessToken!)).toMatch(/^[0-9a-f-]{36}$/);
    expect(sid(next.accessToken!)).toBe(sid(first.accessToken!));
  });

  it('reuse detection revokes the family’s live access tokens too (owner’s and thief’s), on both instances within 1 s', async () => {
    const owner = await signedIn();
    // Both instances have verified and cached the owner's token and user.
    expect((await me(apiA, owner.accessToken!)).status).toBe(200);
    expect((await me(apiB, owner.accessToken!)).status).toBe(200);
    // The thief, holding a copy of the refresh token, refreshes first and gets a fresh access token.
    const thief = (await refresh(apiA, owner.refreshToken!)).body;
    expect((await me(apiB, thief.accessToken!)).status).toBe(200);
    // Past the grace, the owner comes back with the same (now rotated) token: a replay, the family dies.
    await db.query(`UPDATE auth.local_refresh_tokens SET rotated_at = rotated_at - interval '1 minute' WHERE rotated_at IS NOT NULL AND revoked_at IS NULL`);
    const replay = await refresh(apiA, owner.refreshToken!);
    expect(replay.body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });

    for (const token of [owner.accessToken!, thief.accessToken!]) {
      const onA = await me(apiA, token);
      expect(onA.status).toBe(401);
      expect(onA.body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
      // The other instance hears of it through the database's change feed.
      await waitFor(async () => ((await me(apiB, token)).body as { error?: { code: string } }).error?.code === 'AUTH_TOKEN_REVOKED', { timeoutMs: 1_000 });
    }
    expect((await refresh(apiB, thief.refreshToken!)).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
  });

  it('a revocation does not touch the user’s other sessions', async () => {
    const one = await signedIn();
    const email = (decodeJwt(one.accessToken!) as { email: string }).email;
    const two = (await apiA.post<Record<string, string>>('/api/v1/auth/login', { email, password: PASSWORD })).body;
    await refresh(apiA, one.refreshToken!);
    await db.query(`UPDATE auth.local_refresh_tokens SET rotated_at = rotated_at - interval '1 minute' WHERE rotated_at IS NOT NULL`);
    await refresh(apiA, one.refreshToken!);
    expect((await me(apiB, one.accessToken!)).status).toBe(401);
    expect((await me(apiB, two.accessToken!)).status).toBe(200);
    expect((await refresh(apiB, two.refreshToken!)).status).toBe(200);
  });

  it('two tabs refreshing with one token at once both succeed with the same successor, and the family lives on', async () => {
    const tokens = await signedIn();
    // One request to each instance, at the same time.
    const both = await Promise.all([refresh(apiA, tokens.refreshToken!), refresh(apiB, tokens.refreshToken!)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both[0]!.body.refreshToken).toBe(both[1]!.body.refreshToken);
    for (const r of both) expect((await me(apiA, r.body.accessToken!)).status).toBe(200);
    expect((await me(apiA, tokens.accessToken!)).status).toBe(200);
    // The shared successor works once more, as any refresh token.
    const after = await refresh(apiB, both[0]!.body.refreshToken!);
    expect(after.status).toBe(200);
    expect((await me(apiB, after.body.accessToken!)).status).toBe(200);
  });

  it('within the grace, only the immediately previous token is forgiven: an older one still revokes the family', async () => {
    const t0 = await signedIn();
    const t1 = (await refresh(apiA, t0.refreshToken!)).body;
    const t2 = (await refresh(apiA, t1.refreshToken!)).body;
    // t1 is immediately previous to the live t2, t0 is older: both rotated seconds ago.
    const older = await refresh(apiA, t0.refreshToken!);
    expect(older.body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await refresh(apiA, t2.refreshToken!)).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await me(apiA, t2.accessToken!)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
  });

  it('the previous token presented after the grace is a replay: the family is revoked', async () => {
    const t0 = await signedIn();
    const t1 = (await refresh(apiA, t0.refreshToken!)).body;
    // Within the grace it would be forgiven; age its rotation past the 10 s grace instead of sleeping.
    await db.query(`UPDATE auth.local_refresh_tokens SET rotated_at = rotated_at - interval '11 seconds' WHERE rotated_at IS NOT NULL AND revoked_at IS NULL`);
    expect((await refresh(apiA, t0.refreshToken!)).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await refresh(apiA, t1.refreshToken!)).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await me(apiA, t1.accessToken!)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
  });
});
