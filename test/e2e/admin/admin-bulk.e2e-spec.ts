import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AdminBulkService } from '../../../src/admin/bulk/admin-bulk.service';
import { BulkRequestsRetention } from '../../../src/admin/bulk/bulk-requests-retention';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient, type JsonAnswer } from '../../support/http';
import { startSmtpCapture, SmtpCapture } from '../../support/smtp-capture';
import { member, type Member } from './admin-fixtures';

type Result = { id: string; outcome: string; code?: string; from?: string; to?: string };
type Answer = { action: string; dryRun: boolean; results: Result[]; counts: Record<string, number>; error?: { code: string } };

/** Issue #15, Bulk actions, on the local provider over real HTTP and Postgres; every effect read back from the database. */
describe('admin bulk actions: dry run, idempotency, per-id outcomes (issue #15)', () => {
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

  const bulk = (body: Record<string, unknown>, key?: string, token = admin.token): Promise<JsonAnswer<Answer>> =>
    api.call<Answer>('POST', '/api/v1/admin/users/bulk', { body, token, headers: key ? { 'idempotency-key': key } : {} });
  /** What the database says about these users: status, watermark and every audit row. */
  const snapshot = async (ids: string[]) => ({
    users: await db.query(`SELECT id, status, blocks, tokens_valid_after FROM auth.users WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids]),
    events: await db.query(`SELECT user_id, type, actor FROM auth.user_events WHERE user_id = ANY($1::uuid[]) ORDER BY id`, [ids]),
    keys: await db.query(`SELECT count(*)::int AS n FROM auth.admin_bulk_requests`),
  });
  const suspensions = async (id: string) =>
    ((await db.query(`SELECT count(*)::int AS n FROM auth.user_events WHERE user_id = $1 AND type = 'status.suspended'`, [id])) as Array<{ n: number }>)[0]!.n;

  it('a dry run shows exactly what would happen to [self, another admin, a pending user, an active user] and writes nothing', async () => {
    const other = await member(t, 'admin');
    const pending = await member(t, 'user', 'pending_approval');
    const active = await member(t, 'user');
    const ids = [admin.id, other.id, pending.id, active.id];
    const before = await snapshot(ids);

    const res = await bulk({ action: 'suspend', ids, reason: 'fraud wave', dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      action: 'suspend',
      dryRun: true,
      results: [
        { id: admin.id, outcome: 'refused', code: 'SELF_ACTION_FORBIDDEN', from: 'active' },
        { id: other.id, outcome: 'applied', from: 'active', to: 'suspended' },
        { id: pending.id, outcome: 'applied', from: 'pending_approval', to: 'suspended' },
        { id: active.id, outcome: 'applied', from: 'active', to: 'suspended' },
      ],
      counts: { applied: 3, unchanged: 0, refused: 1 },
    });
    const approve = await bulk({ action: 'approve', ids, reason: 'cohort', dryRun: true });
    expect(approve.body.results.map((r) => [r.outcome, r.code ?? r.to ?? null])).toEqual([
      ['refused', 'SELF_ACTION_FORBIDDEN'],
      ['unchanged', null],
      ['applied', 'pending_mfa'],
      ['unchanged', null],
    ]);
    expect(await snapshot(ids)).toEqual(before);
    // The users' live tokens still work: nothing was revoked.
    expect((await api.get('/api/v1/users/me', active.token)).status).toBe(200);
  });

  it('the real run matches its dry run; the same key replayed returns the same answer and applies nothing twice', async () => {
    const pending = await member(t, 'user', 'pending_approval');
    const active = await member(t, 'user');
    const ids = [admin.id, pending.id, active.id];
    const body = { action: 'suspend', ids, reason: 'fraud wave' };
    const dry = await bulk({ ...body, dryRun: true });
    const key = `bulk-${randomUUID()}`;

    const first = await bulk(body, key);
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual(dry.body.results);
    expect(first.body).toMatchObject({ dryRun: false, counts: { applied: 2, unchanged: 0, refused: 1 } });
    expect((await api.get<Answer>('/api/v1/users/me', active.token)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    const after = await snapshot(ids);

    const replay = await bulk(body, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await snapshot(ids)).toEqual(after);
    expect([await suspensions(pending.id), await suspensions(active.id)]).toEqual([1, 1]);
    // Every audit row names the administrator and the first request's id.
    const rows = (await db.query(`SELECT actor, detail FROM auth.user_events WHERE user_id = $1 AND type = 'status.suspended'`, [active.id])) as Array<{ actor: string; detail: { requestId?: string; reason?: string } }>;
    expect(rows).toEqual([{ actor: `admin:${admin.id}`, detail: expect.objectContaining({ requestId: first.headers.get('x-request-id'), reason: 'fraud wave' }) }]);
  });

  it('concurrent requests with one key apply once and all get the same answer', async () => {
    const users = [await member(t, 'user'), await member(t, 'user', 'pending_approval')];
    const body = { action: 'suspend', ids: users.map((u) => u.id), reason: 'burst' };
    const key = `burst-${randomUUID()}`;
    const answers = await Promise.all([bulk(body, key), bulk(body, key), bulk(body, key)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    expect(answers[0]!.body.counts).toEqual({ applied: 2, unchanged: 0, refused: 0 });
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    for (const u of users) expect(await suspensions(u.id)).toBe(1);
  });

  it('retention: the daily run prunes records older than ADMIN_BULK_IDEMPOTENCY_HOURS (24) and keeps younger ones, which still answer replays', async () => {
    const target = await member(t, 'user');
    const body = { action: 'require-mfa', ids: [target.id], reason: 'policy' };
    const [young, old] = [`young-${randomUUID()}`, `old-${randomUUID()}`];
    const first = await bulk(body, young);
    expect(first.body.counts).toEqual({ applied: 1, unchanged: 0, refused: 0 });
    expect((await bulk(body, old)).body.counts).toEqual({ applied: 0, unchanged: 1, refused: 0 });
    const age = (key: string, hours: number) =>
      db.query(`UPDATE auth.admin_bulk_requests SET created_at = now() - make_interval(hours => $3) WHERE admin_id = $1 AND idem_key = $2`, [admin.id, key, hours]);
    await age(young, 23);
    await age(old, 25);
    const keys = async () =>
      ((await db.query(`SELECT idem_key FROM auth.admin_bulk_requests WHERE admin_id = $1 AND idem_key = ANY($2::text[])`, [admin.id, [young, old]])) as Array<{ idem_key: string }>).map((r) => r.idem_key);

    expect(await t.app.get(BulkRequestsRetention).daily(new Date())).toBeGreaterThanOrEqual(1);
    expect(await keys()).toEqual([young]);

    // Within the window the record still answers: the first run's answer, replayed, nothing applied again.
    const replay = await bulk(body, young);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    // Past it the key is new again: the request runs (and finds nothing left to do).
    const rerun = await bulk(body, old);
    expect(rerun.headers.get('idempotent-replayed')).toBeNull();
    expect(rerun.body.counts).toEqual({ applied: 0, unchanged: 1, refused: 0 });
  });

  it('outcomes per action: unchanged on a repeat, an illegal transition refused with its code, an unknown id refused', async () => {
    const active = await member(t, 'user');
    const pending = await member(t, 'user', 'pending_approval');
    const ghost = randomUUID();
    const rejected = await bulk({ action: 'reject', ids: [pending.id, active.id, ghost], reason: 'not eligible' }, `rej-${randomUUID()}`);
    expect(rejected.body.results.map((r) => [r.outcome, r.code ?? r.to])).toEqual([
      ['applied', 'rejected'],
      ['refused', 'INVALID_TRANSITION'],
      ['refused', 'USER_NOT_FOUND'],
    ]);
    const again = await bulk({ action: 'reject', ids: [pending.id], reason: 'not eligible' }, `rej-${randomUUID()}`);
    expect(again.body.results).toEqual([{ id: pending.id, outcome: 'unchanged', from: 'rejected' }]);

    const mfa = await bulk({ action: 'require-mfa', ids: [active.id], reason: 'policy' }, `mfa-${randomUUID()}`);
    expect(mfa.body.results[0]).toMatchObject({ outcome: 'applied' });
    expect((await db.query(`SELECT mfa_required FROM auth.users WHERE id = $1`, [active.id]))[0]).toEqual({ mfa_required: true });
    expect((await bulk({ action: 'require-mfa', ids: [active.id], reason: 'policy' }, `mfa-${randomUUID()}`)).body.results[0]).toMatchObject({ outcome: 'unchanged' });

    const revoke = await bulk({ action: 'revoke-sessions', ids: [active.id], reason: 'lost laptop' }, `rev-${randomUUID()}`);
    expect(revoke.body.results[0]).toMatchObject({ outcome: 'applied' });
    expect((await api.post<Answer>('/api/v1/auth/refresh', { refreshToken: active.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
  });

  it('the last active admin is refused LAST_ADMIN (an acting admin not counted among the active admins, e.g. admitted by token groups)', async () => {
    const last = await member(t, 'admin');
    const service = t.app.get(AdminBulkService);
    const others = (await db.query(`SELECT id FROM auth.users WHERE role = 'admin' AND status = 'active' AND id <> $1`, [last.id])) as Array<{ id: string }>;
    try {
      // Only `last` is an active admin while this runs (as admin-actions.e2e-spec's LAST_ADMIN race arranges it).
      await db.query(`UPDATE auth.users SET role = 'user' WHERE id = ANY($1::uuid[])`, [others.map((o) => o.id)]);
      const actor = { userId: randomUUID() };
      const dto = { action: 'suspend' as const, ids: [last.id], reason: 'test' };
      const dry = await service.run({ ...dto, dryRun: true }, actor, undefined);
      expect(dry.answer.results).toEqual([{ id: last.id, outcome: 'refused', code: 'LAST_ADMIN', from: 'active' }]);
      const real = await service.run(dto, actor, `last-${randomUUID()}`);
      expect(real.answer.results).toEqual(dry.answer.results);
      expect((await db.query(`SELECT status FROM auth.users WHERE id = $1`, [last.id]))[0]).toEqual({ status: 'active' });
    } finally {
      await db.query(`UPDATE auth.users SET role = 'admin' WHERE id = ANY($1::uuid[])`, [others.map((o) => o.id)]);
    }
  });

  it('input: a key is required (unless a dry run), one key is one request, ≤ 100 unique ids, admins only', async () => {
    const u = await member(t, 'user');
    const auditor = await member(t, 'auditor');
    const body = { action: 'suspend', ids: [u.id], reason: 'x' };
    expect((await bulk(body)).body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED' } });
    expect((await bulk(body, 'short')).body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED' } });
    const key = `key-${randomUUID()}`;
    expect((await bulk({ ...body, action: 'require-mfa' }, key)).status).toBe(200);
    const reused = await bulk(body, key);
    expect([reused.status, reused.body.error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    const many = Array.from({ length: 101 }, () => randomUUID());
    expect((await bulk({ ...body, ids: many }, `k-${randomUUID()}`)).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await bulk({ ...body, ids: [u.id, u.id] }, `k-${randomUUID()}`)).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await bulk({ ...body, ids: ['nope'] }, `k-${randomUUID()}`)).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await bulk({ ...body, action: 'delete' }, `k-${randomUUID()}`)).body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await bulk({ ...body, dryRun: true }, undefined, auditor.token)).status).toBe(403);
    expect((await bulk({ ...body, dryRun: true }, undefined, u.token)).status).toBe(403);
    expect((await db.query(`SELECT status FROM auth.users WHERE id = $1`, [u.id]))[0]).toEqual({ status: 'active' });
  });
});
