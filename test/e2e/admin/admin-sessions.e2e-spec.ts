import { decode as decodeJwt } from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { startSmtpCapture, SmtpCapture } from '../../support/smtp-capture';
import { userFactory } from '../../support/user-factory';
import { auditRows, member, type Member } from './admin-fixtures';

type Tokens = { accessToken: string; refreshToken: string };
type Listed = { provider: string; listed: boolean; sessions: Array<{ id: string; device: string | null; ip: string | null; createdAt: string; lastUsedAt: string; current: boolean }> };
type Err = { error?: { code: string } };

/**
 * Issue #15, Sessions, on the local provider over real HTTP and Postgres: users and administrators list and end
 * sessions (refresh families); an ended session's refresh token fails at once and its live access token is refused
 * on the next request; refresh reuse does the same to the whole family.
 */
describe('sessions: per-user lists and revocation (issue #15)', () => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: Member;
  let auditor: Member;
  const PASSWORD = 'a long enough passphrase 7';

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    t = await startTestApp({ SMTP_URL: smtp.url, RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '1000' });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
    admin = await member(t, 'admin');
    auditor = await member(t, 'auditor');
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  /** A registered, confirmed local user; returns the address and the user id. */
  async function account(): Promise<{ email: string; id: string }> {
    const email = await userFactory.local.verified(api, smtp, PASSWORD);
    const rows = (await db.query(`SELECT id FROM auth.users WHERE email = $1`, [email])) as Array<{ id: string }>;
    return { email, id: rows[0]!.id };
  }
  async function login(email: string, device: string): Promise<Tokens> {
    const res = await api.call<Tokens>('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD }, headers: { 'user-agent': device } });
    expect(res.status).toBe(200);
    return res.body;
  }
  const sidOf = (token: string) => (decodeJwt(token) as { sid: string }).sid;
  const refresh = (refreshToken: string) => api.post<Tokens & Err>('/api/v1/auth/refresh', { refreshToken });
  const me = (token: string) => api.get<Err>('/api/v1/users/me', token);
  const adminSessions = (id: string, token = admin.token) => api.get<Listed & Err>(`/api/v1/admin/users/${id}/sessions`, token);

  it('a user lists their own sessions (device, address, created, last used, current); an administrator and an auditor see them too', async () => {
    const u = await account();
    const laptop = await login(u.email, 'Laptop Browser/1.0');
    const phone = await login(u.email, 'Phone App/2.0');
    // A refresh moves the phone session's last use, not its device or creation.
    const phone2 = (await refresh(phone.refreshToken)).body;

    const own = await api.get<Listed>('/api/v1/auth/sessions', phone2.accessToken);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ provider: 'local', listed: true });
    const byId = new Map(own.body.sessions.map((s) => [s.id, s]));
    expect(byId.size).toBe(2);
    expect(byId.get(sidOf(laptop.accessToken))).toMatchObject({ device: 'Laptop Browser/1.0', ip: '127.0.0.1', current: false });
    const p = byId.get(sidOf(phone.accessToken))!;
    expect(p).toMatchObject({ device: 'Phone App/2.0', current: true });
    expect(Date.parse(p.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(p.createdAt));

    for (const token of [admin.token, auditor.token]) {
      const seen = await adminSessions(u.id, token);
      expect(seen.status).toBe(200);
      expect(seen.body.sessions.map((s) => s.id).sort()).toEqual([...byId.keys()].sort());
      // No token, hash or secret in the answer.
      expect(JSON.stringify(seen.body)).not.toMatch(/eyJ|refresh|hash/i);
    }
  });

  it('an administrator ends one session: its refresh token fails at once, its live access token is refused, the other session lives; audited', async () => {
    const u = await account();
    const a = await login(u.email, 'A');
    const b = await login(u.email, 'B');
    expect((await me(a.accessToken)).status).toBe(200);

    const del = await api.call('DELETE', `/api/v1/admin/users/${u.id}/sessions/${sidOf(a.accessToken)}`, { token: admin.token });
    expect(del.status).toBe(204);
    const next = await me(a.accessToken);
    expect([next.status, next.body.error?.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
    expect((await refresh(a.refreshToken)).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await me(b.accessToken)).status).toBe(200);
    expect((await refresh(b.refreshToken)).status).toBe(200);
    expect((await adminSessions(u.id)).body.sessions.map((s) => s.id)).toEqual([sidOf(b.accessToken)]);
    expect(await auditRows(db, u.id)).toContainEqual(
      expect.objectContaining({ type: 'session.revoked', actor: `admin:${admin.id}`, detail: expect.objectContaining({ sessionId: sidOf(a.accessToken), requestId: del.headers.get('x-request-id') }) }),
    );
    // Ending it again: no such live session.
    expect((await api.call<Err>('DELETE', `/api/v1/admin/users/${u.id}/sessions/${sidOf(a.accessToken)}`, { token: admin.token })).body).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
  });

  it('a user ends their own session, and cannot see or end another user’s', async () => {
    const u = await account();
    const other = await account();
    const mine = await login(u.email, 'mine');
    const spare = await login(u.email, 'spare');
    const theirs = await login(other.email, 'theirs');

    const cross = await api.call<Err>('DELETE', `/api/v1/auth/sessions/${sidOf(theirs.accessToken)}`, { token: mine.accessToken });
    expect([cross.status, cross.body.error?.code]).toEqual([404, 'SESSION_NOT_FOUND']);
    expect((await me(theirs.accessToken)).status).toBe(200);
    expect((await refresh(theirs.refreshToken)).status).toBe(200);
    const listed = (await api.get<Listed>('/api/v1/auth/sessions', mine.accessToken)).body.sessions.map((s) => s.id);
    expect(listed).not.toContain(sidOf(theirs.accessToken));

    expect((await api.call('DELETE', `/api/v1/auth/sessions/${sidOf(spare.accessToken)}`, { token: mine.accessToken })).status).toBe(204);
    expect((await me(spare.accessToken)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    expect((await refresh(spare.refreshToken)).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await me(mine.accessToken)).status).toBe(200);
    expect(await auditRows(db, u.id)).toContainEqual(expect.objectContaining({ type: 'session.revoked', actor: `user:${u.id}` }));
  });

  it('revoke-all ends every session: refresh tokens fail, live access tokens are refused', async () => {
    const u = await account();
    const sessions = [await login(u.email, 'one'), await login(u.email, 'two')];
    const res = await api.post(`/api/v1/admin/users/${u.id}/sessions/revoke-all`, {}, admin.token);
    expect([res.status, res.body]).toEqual([200, { revoked: true }]);
    for (const s of sessions) {
      expect((await me(s.accessToken)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
      expect((await refresh(s.refreshToken)).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    }
    expect((await adminSessions(u.id)).body.sessions).toEqual([]);
  });

  it('refresh reuse kills the family’s live access tokens (the owner’s and the thief’s)', async () => {
    const u = await account();
    const owner = await login(u.email, 'owner');
    const thief = (await refresh(owner.refreshToken)).body;
    // Past the reuse grace, the rotated token comes back: a replay.
    await db.query(`UPDATE auth.local_refresh_tokens SET rotated_at = rotated_at - interval '1 minute' WHERE user_id = $1 AND rotated_at IS NOT NULL`, [u.id]);
    expect((await refresh(owner.refreshToken)).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    for (const token of [owner.accessToken, thief.accessToken]) expect((await me(token)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
  });

  it('roles and input: auditors may only read, users reach no admin route, bad ids are 400, unknown users 404', async () => {
    const u = await account();
    const s = await login(u.email, 'x');
    const sid = sidOf(s.accessToken);
    expect((await api.call<Err>('DELETE', `/api/v1/admin/users/${u.id}/sessions/${sid}`, { token: auditor.token })).status).toBe(403);
    expect((await api.post<Err>(`/api/v1/admin/users/${u.id}/sessions/revoke-all`, {}, auditor.token)).status).toBe(403);
    expect((await adminSessions(u.id, s.accessToken)).status).toBe(403);
    expect((await me(s.accessToken)).status).toBe(200);
    expect((await api.call<Err>('DELETE', `/api/v1/admin/users/${u.id}/sessions/not-a-sid`, { token: admin.token })).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await api.call<Err>('DELETE', '/api/v1/auth/sessions/1%27%20or%201=1', { token: s.accessToken })).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await adminSessions('00000000-0000-4000-8000-000000000000')).body).toMatchObject({ error: { code: 'USER_NOT_FOUND' } });
  });
});
