import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { SuspensionExpiry } from '../../../src/admin/suspensions/suspension-expiry';
import { LocalSessions } from '../../../src/auth/providers/local/local-sessions';
import { UsersService } from '../../../src/users/users.service';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient, type JsonAnswer } from '../../support/http';
import { startSmtpCapture, SmtpCapture } from '../../support/smtp-capture';
import { announced, setStatus } from '../../support/user-factory';
import { auditRows, member, type Member, uniqueEmail } from './admin-fixtures';

type Body = Record<string, unknown> & { error?: { code: string; status?: string }; user?: { status: string; blocks: unknown[] } };

/** The admin API on the local provider, real Postgres and real HTTP; every effect read back from the database. */
describe('admin API: the ladder, safety rules and their effects (issue #11)', () => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: Member;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    t = await startTestApp({ SMTP_URL: smtp.url, RATE_LIMIT_AUTH_PER_MINUTE: '100000' });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
    admin = await member(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const act = (id: string, action: string, body: unknown = {}, token = admin.token, headers: Record<string, string> = {}) =>
    api.call<Body>('POST', `/api/v1/admin/users/${id}/${action}`, { body, token, headers });
  const statusOf = async (id: string) => ((await db.query(`SELECT status FROM auth.users WHERE id = $1`, [id])) as Array<{ status: string }>)[0]?.status;
  const ladderRows = async (id: string) => (await auditRows(db, id)).filter((r) => r.type.startsWith('status.'));

  it('register → confirm → the approvals queue → approve: the user moves up the ladder, every step audited with the admin and the request id', async () => {
    const email = uniqueEmail('ladder');
    expect((await api.post('/api/v1/auth/register', { email, password: 'a good passphrase 1' })).status).toBe(202);
    const code = /code is (\d{6})/.exec((await smtp.waitFor(email, (m) => /verification code/.test(m.subject))).text)![1]!;
    expect((await api.post('/api/v1/auth/confirm-email', { email, code })).body).toEqual({ status: 'verified' });

    const queue = await api.get<{ items: Array<{ id: string; email: string; waitingSince: string; waitingSeconds: number; waitingFor: string }> }>('/api/v1/admin/approvals?limit=200', admin.token);
    const entry = queue.body.items.find((i) => i.email === email)!;
    expect(entry).toMatchObject({ waitingFor: 'approval', waitingSeconds: expect.any(Number) });
    const since = queue.body.items.map((i) => i.waitingSince);
    expect([...since].sort()).toEqual(since);

    const approved = await act(entry.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ changed: true, user: { status: 'pending_mfa', waitingFor: 'mfa_enrollment' } });
    const requestId = approved.headers.get('x-request-id');
    expect(await ladderRows(entry.id)).toEqual([
      expect.objectContaining({ type: 'status.email_verified', from_status: 'pending_verification', to_status: 'pending_approval' }),
      expect.objectContaining({ type: 'status.approved', actor: `admin:${admin.id}`, from_status: 'pending_approval', to_status: 'pending_mfa', detail: expect.objectContaining({ requestId }) }),
    ]);
    // Approving again changes nothing and writes nothing.
    expect((await act(entry.id, 'approve')).body).toMatchObject({ changed: false });
    expect(await ladderRows(entry.id)).toHaveLength(2);
    // The queue no longer holds them.
    expect((await api.get<{ items: Array<{ id: string }> }>('/api/v1/admin/approvals?limit=200', admin.token)).body.items.map((i) => i.id)).not.toContain(entry.id);
  });

  it('reject needs a reason, records it on the block, and an illegal move afterwards is 409 INVALID_TRANSITION with the status', async () => {
    const u = await member(t, 'user', 'pending_approval');
    expect((await act(u.id, 'reject', {})).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await statusOf(u.id)).toBe('pending_approval');
    const rejected = await act(u.id, 'reject', { reason: 'not a customer' });
    expect(rejected.body).toMatchObject({ changed: true, user: { status: 'rejected', blocks: [{ kind: 'rejected', by: 'admin', reason: 'not a customer' }] } });
    const refused = await act(u.id, 'approve');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'INVALID_TRANSITION', status: 'rejected' } });
    for (const action of ['suspend', 'disable']) expect((await act(u.id, action, {})).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await api.call('DELETE', `/api/v1/admin/users/${u.id}`, { body: {}, token: admin.token })).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await statusOf(u.id)).toBe('rejected');
  });

  it('50 concurrent approve/reject calls on one user end in one consistent state with one audit row per real change', async () => {
    const u = await member(t, 'user', 'pending_approval');
    const calls = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? act(u.id, 'approve') : act(u.id, 'reject', { reason: `race ${i}` })));
    const answers = await Promise.all(calls);
    const changed = answers.filter((a) => a.status === 200 && a.body.changed === true);
    expect(changed).toHaveLength(1);
    const final = await statusOf(u.id);
    expect(['pending_mfa', 'rejected']).toContain(final);
    // Every other answer is a repeat of the winner (200, unchanged) or the loser's refusal (409 with the final status).
    for (const a of answers) {
      if (a === changed[0]) continue;
      if (a.status === 200) expect(a.body.changed).toBe(false);
      else expect([a.status, a.body.error?.code, a.body.error?.status]).toEqual([409, 'INVALID_TRANSITION', final]);
    }
    const rows = await ladderRows(u.id);
    expect(rows).toEqual([expect.objectContaining({ type: final === 'rejected' ? 'status.rejected' : 'status.approved', actor: `admin:${admin.id}` })]);
  });

  it('an admin cannot approve, reject, suspend, disable, delete or change the role of themself: 409 SELF_ACTION_FORBIDDEN, nothing changes', async () => {
    const self = await member(t, 'admin');
    const before = await auditRows(db, self.id);
    const refusals = [
      await act(self.id, 'approve', {}, self.token),
      await act(self.id, 'reject', { reason: 'x' }, self.token),
      await act(self.id, 'suspend', { reason: 'x' }, self.token),
      await act(self.id, 'disable', { reason: 'x' }, self.token),
      await api.call<Body>('PUT', `/api/v1/admin/users/${self.id}/role`, { body: { role: 'user' }, token: self.token }),
      await api.call<Body>('DELETE', `/api/v1/admin/users/${self.id}`, { body: { reason: 'x' }, token: self.token }),
    ];
    for (const r of refusals) expect([r.status, r.body.error?.code]).toEqual([409, 'SELF_ACTION_FORBIDDEN']);
    expect(await statusOf(self.id)).toBe('active');
    expect(await auditRows(db, self.id)).toEqual(before);
    expect((await api.get('/api/v1/users/me', self.token)).body).toMatchObject({ role: 'admin', status: 'active' });
  });

  it('two admins demoting (or suspending) each other at once: exactly one succeeds, the other is 409 LAST_ADMIN', async () => {
    const a = await member(t, 'admin');
    const b = await member(t, 'admin');
    const events = t.app.get(EventEmitter2);
    /** Only a and b are active admins (the others this file made step aside), written and announced before racing. */
    const onlyTheseTwo = async () => {
      await db.query(`UPDATE auth.users SET role = 'user' WHERE role = 'admin' AND id NOT IN ($1, $2)`, [a.id, b.id]);
      for (const m of [a, b]) {
        await announced(events, async () => {
          await db.query(`UPDATE auth.users SET role = 'admin', tokens_valid_after = NULL WHERE id = $1`, [m.id]);
          await setStatus(db, m.id, 'active');
          return m.id;
        });
        m.token = (await t.app.get(LocalSessions).issueTokens((await t.app.get(UsersService).findById(m.id))!)).accessToken;
      }
    };
    const races: Array<[string, (target: Member, by: Member) => Promise<JsonAnswer<Body>>]> = [
      ['demote', (target, by) => api.call<Body>('PUT', `/api/v1/admin/users/${target.id}/role`, { body: { role: 'user' }, token: by.token })],
      ['suspend', (target, by) => act(target.id, 'suspend', { reason: 'race' }, by.token)],
      ['disable', (target, by) => act(target.id, 'disable', { reason: 'race' }, by.token)],
    ];
    try {
      for (const [name, move] of races) {
        await onlyTheseTwo();
        const answers = await Promise.all([move(b, a), move(a, b)]);
        const outcomes = answers.map((r) => (r.status === 200 ? 'ok' : `${r.status} ${r.body.error?.code}`));
        // Never both. The loser is refused under the lock (LAST_ADMIN) or, when the winner's change landed before the
        // loser's request was authenticated, at the door (its role or its session is already gone).
        expect([name, outcomes.filter((o) => o === 'ok').length]).toEqual([name, 1]);
        expect(['409 LAST_ADMIN', '403 FORBIDDEN', '401 AUTH_TOKEN_REVOKED', '403 USER_SUSPENDED', '403 USER_DISABLED']).toContain(outcomes.find((o) => o !== 'ok'));
        const left = (await db.query(`SELECT id FROM auth.users WHERE role = 'admin' AND status = 'active'`)) as unknown[];
        expect([name, left.length]).toEqual([name, 1]);
      }
    } finally {
      await db.query(`UPDATE auth.users SET role = 'admin' WHERE id = $1`, [admin.id]);
    }
  });

  it('disable takes effect at once: the live access token is refused on the next request and the refresh token is dead', async () => {
    const u = await member(t, 'user');
    expect((await api.get('/api/v1/users/me', u.token)).status).toBe(200);
    const disabled = await act(u.id, 'disable', { reason: 'fraud' });
    expect(disabled.body).toMatchObject({ changed: true, user: { status: 'disabled', blocks: [{ kind: 'disabled', reason: 'fraud' }] } });
    const next = await api.get('/api/v1/users/me', u.token);
    expect([next.status, (next.body as Body).error?.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken })).status).toBe(401);
    expect(await auditRows(db, u.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'status.disabled', actor: `admin:${admin.id}`, detail: expect.objectContaining({ reason: 'fraud', requestId: disabled.headers.get('x-request-id') }) })]),
    );
  });

  it('suspend … until lifts itself: by the sweep (driven with a clock past `until`) and lazily when an administrator reads the user', async () => {
    const until = new Date(Date.now() + 3600_000);
    const u = await member(t, 'user');
    const v = await member(t, 'user');
    expect((await act(u.id, 'suspend', { reason: 'cool off', until: new Date(Date.now() - 1000).toISOString() })).body).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    for (const m of [u, v]) {
      expect((await act(m.id, 'suspend', { reason: 'cool off', until: until.toISOString() })).body).toMatchObject({ user: { status: 'suspended', blocks: [{ kind: 'suspended', until: until.toISOString() }] } });
    }
    expect((await api.get('/api/v1/users/me', u.token)).status).toBe(401);
    const expiry = t.app.get(SuspensionExpiry);
    expect(await expiry.sweep(new Date(until.getTime() - 1000))).not.toEqual(expect.arrayContaining([u.id]));
    expect(await statusOf(u.id)).toBe('suspended');
    expect(await expiry.sweep(new Date(until.getTime() + 1000))).toEqual(expect.arrayContaining([u.id, v.id]));
    expect(await statusOf(u.id)).toBe('active');
    expect((await auditRows(db, u.id)).at(-1)).toMatchObject({ type: 'status.reinstated', actor: 'system:suspension-expiry', from_status: 'suspended', to_status: 'active' });

    // Lazily: a suspension whose end has passed is lifted when an administrator reads the user.
    const w = await member(t, 'user');
    await act(w.id, 'suspend', { reason: 'cool off', until: until.toISOString() });
    await db.query(`UPDATE auth.users SET blocks = jsonb_set(blocks, '{suspended,until}', to_jsonb($2::text)) WHERE id = $1`, [w.id, new Date(Date.now() - 1000).toISOString()]);
    expect((await api.get(`/api/v1/admin/users/${w.id}`, admin.token)).body).toMatchObject({ status: 'active', blocks: [] });
  });

  it('If-Match with a stale ETag is 412 PRECONDITION_FAILED and changes nothing; the current one is accepted', async () => {
    const u = await member(t, 'user', 'pending_approval');
    const read = await api.get(`/api/v1/admin/users/${u.id}`, admin.token);
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(read.body).toMatchObject({ id: u.id, status: 'pending_approval', waitingFor: 'approval', providerView: { available: true, enabled: true } });
    expect((await api.call('PATCH', `/api/v1/admin/users/${u.id}`, { body: { name: 'Changed Meanwhile' }, token: admin.token })).status).toBe(200);
    const stale = await act(u.id, 'approve', {}, admin.token, { 'if-match': etag });
    expect([stale.status, stale.body.error?.code]).toEqual([412, 'PRECONDITION_FAILED']);
    expect(await statusOf(u.id)).toBe('pending_approval');
    const fresh = (await api.get(`/api/v1/admin/users/${u.id}`, admin.token)).headers.get('etag')!;
    expect(fresh).not.toBe(etag);
    expect((await act(u.id, 'approve', {}, admin.token, { 'if-match': fresh })).body).toMatchObject({ changed: true, user: { fullName: 'Changed Meanwhile' } });
  });

  it('a role change takes effect on the next request: an auditor may read but not act', async () => {
    const u = await member(t, 'user');
    expect((await api.get('/api/v1/admin/users', u.token)).status).toBe(403);
    const promoted = await api.call<Body>('PUT', `/api/v1/admin/users/${u.id}/role`, { body: { role: 'auditor' }, token: admin.token });
    expect(promoted.body).toMatchObject({ changed: true, user: { role: 'auditor' } });
    expect((await api.get('/api/v1/admin/users', u.token)).status).toBe(200);
    expect((await act(admin.id, 'suspend', { reason: 'x' }, u.token)).status).toBe(403);
  });
});
