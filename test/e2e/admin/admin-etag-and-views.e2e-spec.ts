import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { totp } from '../../support/totp';
import { auditRows, member, type Member } from './admin-fixtures';

type Body = Record<string, unknown> & { error?: { code: string }; changed?: boolean; user?: { status: string } };

/** Issue #11 leftovers on the local provider: If-Match decided atomically, require-mfa's answer, the provider's lock. */
describe('admin API: If-Match is atomic with the action; the provider view and require-mfa say what will happen', () => {
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: Member;
  let other: Member;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '3' });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
    admin = await member(t, 'admin');
    other = await member(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  const act = (id: string, action: string, body: unknown, token: string, etag?: string) =>
    api.call<Body>('POST', `/api/v1/admin/users/${id}/${action}`, { body, token, headers: etag ? { 'if-match': etag } : {} });
  const etagOf = async (id: string) => (await api.get(`/api/v1/admin/users/${id}`, admin.token)).headers.get('etag')!;

  it('two admins acting at once with the same ETag: one succeeds, the other is 412 and changes nothing', async () => {
    for (let round = 0; round < 5; round++) {
      const u = await member(t, 'user', 'pending_approval');
      const etag = await etagOf(u.id);
      // Different actions, so a 200 can only come from the precondition passing (a repeat of the same one would be a quiet no-op).
      const answers = await Promise.all([act(u.id, 'approve', {}, admin.token, etag), act(u.id, 'reject', { reason: 'race' }, other.token, etag)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
      const loser = answers.find((a) => a.status === 412)!;
      expect(loser.body.error?.code).toBe('PRECONDITION_FAILED');
      const winner = answers.find((a) => a.status === 200)!;
      const ladder = (await auditRows(db, u.id)).filter((r) => r.type.startsWith('status.'));
      expect(ladder).toHaveLength(1);
      expect(winner.body.user?.status).toBe(ladder[0]!.to_status);
    }
  });

  it('one ETag serves one action: used again, even after an action that changed nothing, it is 412', async () => {
    const u = await member(t, 'user', 'active');
    const etag = await etagOf(u.id);
    // Enabling an enabled user changes no field of the row; the ETag is spent all the same.
    expect((await act(u.id, 'enable', {}, admin.token, etag)).status).toBe(200);
    expect((await act(u.id, 'enable', {}, admin.token, etag)).status).toBe(412);
  });

  it('a refused action spends no ETag: after a 409 the same ETag still works', async () => {
    const u = await member(t, 'user', 'active');
    const etag = await etagOf(u.id);
    expect((await act(u.id, 'reactivate', {}, admin.token, etag)).status).toBe(409);
    expect(await etagOf(u.id)).toBe(etag);
    expect((await act(u.id, 'suspend', { reason: 'x' }, admin.token, etag)).status).toBe(200);
  });

  it('require-mfa says whether the user will be challenged: not enrolled → must enrol first; enrolled → challenged', async () => {
    const u = await member(t, 'user', 'active');
    const first = await act(u.id, 'require-mfa', {}, admin.token);
    expect(first.body).toMatchObject({ changed: true, mfa: { required: true, enrolled: false, challenged: false, next: 'enrol' } });

    // The user enrols TOTP through the public API.
    const started = await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, u.token);
    expect(started.status).toBe(200);
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(started.body.secret) }, u.token)).status).toBe(200);
    const second = await act(u.id, 'require-mfa', {}, admin.token);
    expect(second.body).toMatchObject({ mfa: { required: true, enrolled: true, challenged: true, next: 'challenge' } });
  });

  it("GET /users/:id shows the local provider's lock: failed sign-ins lock a client, and the admin sees it", async () => {
    const u = await member(t, 'user', 'active');
    const clean = await api.get<{ providerView: Record<string, unknown> }>(`/api/v1/admin/users/${u.id}`, admin.token);
    expect(clean.body.providerView).toMatchObject({ available: true, groups: null, lock: { locked: false, failures: 0, lockedClients: 0, mfaLockedUntil: null } });
    for (let i = 0; i < 3; i++) expect((await api.post('/api/v1/auth/login', { email: u.email, password: 'wrong passphrase 9' })).status).toBe(401);
    expect((await api.post('/api/v1/auth/login', { email: u.email, password: 'temporary passphrase 1' })).status).toBe(429);
    const locked = await api.get<{ providerView: { lock: { locked: boolean; failures: number; lockedClients: number; lockedUntil: string } } }>(`/api/v1/admin/users/${u.id}`, admin.token);
    expect(locked.body.providerView.lock).toMatchObject({ locked: true, failures: 3, lockedClients: 1 });
    expect(new Date(locked.body.providerView.lock.lockedUntil).getTime()).toBeGreaterThan(Date.now());
  });
});
