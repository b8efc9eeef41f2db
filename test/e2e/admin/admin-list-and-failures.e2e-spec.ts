import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUTH_ADMIN_PORT, AdminPortError, type AuthAdminPort } from '../../../src/auth/providers/admin-port';
import { LocalAdmin } from '../../../src/auth/providers/local/local-admin.service';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { userFactory } from '../../support/user-factory';
import { auditRows, member, type Member } from './admin-fixtures';

type Page = { items: Array<{ id: string; email: string; status: string }>; total: number; nextCursor: string | null };
type ErrorBody = { error?: { code: string } };

/** The provider's mutations, failing on demand: the port an outage (or a refusal) at Cognito looks like to Gatehouse. */
const MUTATIONS = new Set(['disableUser', 'deleteUser', 'signOutEverywhere', 'addToGroup', 'removeFromGroup', 'enableUser', 'resetPassword', 'setPassword', 'updateAttributes']);
const switchable = { real: undefined as AuthAdminPort | undefined, down: false };
const failingPort = new Proxy({} as AuthAdminPort, {
  get(_target, prop: string) {
    const real = switchable.real;
    if (!real) return undefined; // Nest probes the value (e.g. `then`) before the app, and so the real port, exists
    if (switchable.down && MUTATIONS.has(prop)) return () => Promise.reject(new AdminPortError('PROVIDER_UNAVAILABLE', 'simulated outage'));
    const value = (real as unknown as Record<string, unknown>)[prop];
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real) : value;
  },
});

describe('admin API: search and paging, and a provider failure changes nothing (issue #11)', () => {
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: Member;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000' }, { override: [{ token: AUTH_ADMIN_PORT, value: failingPort }] });
    switchable.real = t.app.get(LocalAdmin);
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
    admin = await member(t, 'admin');
  });
  afterAll(() => t.close());

  /** Users whose address carries `marker`, so a test's filters see only its own rows. */
  async function seed(marker: string, statuses: Array<'active' | 'pending_approval'>): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, status] of statuses.entries()) {
      const id = await userFactory.row(db, { issuer: 'urn:test:list', status, provider: 'oidc' });
      await db.query(`UPDATE auth.users SET email = $2 WHERE id = $1`, [id, `${marker}.${i}.${randomUUID().slice(0, 4)}@example.com`]);
      ids.push(id);
    }
    return ids;
  }
  const list = (query: string) => api.get<Page & ErrorBody>(`/api/v1/admin/users?${query}`, admin.token);

  it('keyset paging is stable under inserts: every user seen exactly once, none skipped, in both orders', async () => {
    for (const sort of ['createdAt:desc', 'createdAt:asc', 'email:asc']) {
      const marker = `page${randomUUID().slice(0, 8)}`;
      const first = await seed(marker, Array(7).fill('active'));
      const seen: string[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const res: { status: number; body: Page & ErrorBody } = await list(`q=${marker}&sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((i) => i.id));
        cursor = res.body.nextCursor;
        // Rows inserted between pages never shift the pages: nothing is repeated and nothing already there is skipped.
        if (round++ === 0) await seed(marker, ['active', 'active']);
      } while (cursor);
      expect([sort, new Set(seen).size]).toEqual([sort, seen.length]);
      expect([sort, first.filter((id) => !seen.includes(id))]).toEqual([sort, []]);
    }
  });

  it('total honours every filter, and filters combine', async () => {
    const marker = `total${randomUUID().slice(0, 8)}`;
    await seed(marker, ['active', 'active', 'pending_approval', 'pending_approval', 'pending_approval']);
    expect((await list(`q=${marker}&limit=1`)).body).toMatchObject({ total: 5, items: [expect.anything()] });
    const pending = await list(`q=${marker}&status=pending_approval&limit=200`);
    expect(pending.body.total).toBe(3);
    expect(pending.body.items.every((i) => i.status === 'pending_approval')).toBe(true);
    expect((await list(`q=${marker}&status=active&provider=oidc&role=user&mfa=false`)).body.total).toBe(2);
    expect((await list(`q=${marker}&provider=local`)).body.total).toBe(0);
    expect((await list(`q=${marker}&createdFrom=${new Date(Date.now() + 3600_000).toISOString()}`)).body.total).toBe(0);
  });

  it('limit above 200, an unknown sort key, a foreign cursor and a bad filter are 400s, never a truncated or reordered page', async () => {
    expect((await list('limit=201')).body.error?.code).toBe('VALIDATION_FAILED');
    expect((await list('limit=200')).status).toBe(200);
    for (const sort of ['lastSeen:desc', 'password:asc', 'createdAt', 'email:up']) expect([sort, (await list(`sort=${sort}`)).status]).toEqual([sort, 400]);
    const cursor = (await list('limit=1&sort=createdAt:desc')).body.nextCursor!;
    expect((await list(`limit=1&sort=createdAt:asc&cursor=${cursor}`)).body.error?.code).toBe('INVALID_INPUT');
    expect((await list('status=sleeping')).status).toBe(400);
    expect((await list('mfa=maybe')).status).toBe(400);
  });

  it('when the provider fails, nothing local changes: no status, role or watermark moves, no audit row, the token still works', async () => {
    const u = await member(t, 'user');
    const before = { row: await db.query(`SELECT status, role, blocks, tokens_valid_after FROM auth.users WHERE id = $1`, [u.id]), audit: await auditRows(db, u.id) };
    switchable.down = true;
    try {
      const calls = [
        api.post<ErrorBody>(`/api/v1/admin/users/${u.id}/disable`, { reason: 'x' }, admin.token),
        api.post<ErrorBody>(`/api/v1/admin/users/${u.id}/suspend`, { reason: 'x' }, admin.token),
        api.post<ErrorBody>(`/api/v1/admin/users/${u.id}/reset-password`, {}, admin.token),
        api.call<ErrorBody>('PUT', `/api/v1/admin/users/${u.id}/role`, { body: { role: 'auditor' }, token: admin.token }),
        api.call<ErrorBody>('DELETE', `/api/v1/admin/users/${u.id}`, { body: { reason: 'x' }, token: admin.token }),
      ];
      for (const res of await Promise.all(calls)) expect([res.status, res.body.error?.code]).toEqual([503, 'PROVIDER_UNAVAILABLE']);
    } finally {
      switchable.down = false;
    }
    expect(await db.query(`SELECT status, role, blocks, tokens_valid_after FROM auth.users WHERE id = $1`, [u.id])).toEqual(before.row);
    expect(await auditRows(db, u.id)).toEqual(before.audit);
    expect((await api.get('/api/v1/users/me', u.token)).status).toBe(200);
  });
});
