import { API_PREFIX } from '../../../src/app.setup';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { registeredRoutes, withParams } from '../../support/routes';
import { member, type Member, secretsIn } from './admin-fixtures';

interface Route {
  method: string;
  path: string;
}

/** Every route under /api/v1/admin, `:id` filled in. */
function adminRoutes(t: TestApp, id: string): Route[] {
  return registeredRoutes(t.app)
    .filter((r) => r.path.startsWith(`/${API_PREFIX}/admin`))
    .map((r) => ({ method: r.method, path: withParams(r.path, id) }));
}

describe('admin API: role rules on every route, and no secret in any answer (issue #11)', () => {
  let t: TestApp;
  let api: JsonClient;
  let admin: Member;
  let auditor: Member;
  let user: Member;
  let target: Member;
  let routes: Route[];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000' });
    api = new JsonClient(t.url);
    [admin, auditor, user, target] = await Promise.all([member(t, 'admin'), member(t, 'auditor'), member(t, 'user'), member(t, 'user', 'pending_approval')]);
    routes = adminRoutes(t, target.id);
  });
  afterAll(() => t.close());

  const call = (r: Route, token?: string) => api.call(r.method, r.path, { token, ...(r.method === 'GET' ? {} : { body: {} }) });

  it('finds the admin routes from Nest itself', () => {
    const names = routes.map((r) => `${r.method} ${r.path.replace(target.id, ':id')}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/v1/admin/users',
        'GET /api/v1/admin/users/:id',
        'GET /api/v1/admin/approvals',
        'POST /api/v1/admin/users',
        'POST /api/v1/admin/users/:id/approve',
        'POST /api/v1/admin/users/:id/reject',
        'POST /api/v1/admin/users/:id/suspend',
        'POST /api/v1/admin/users/:id/reactivate',
        'POST /api/v1/admin/users/:id/disable',
        'POST /api/v1/admin/users/:id/enable',
        'POST /api/v1/admin/users/:id/require-mfa',
        'POST /api/v1/admin/users/:id/reset-password',
        'POST /api/v1/admin/users/:id/set-password',
        'PUT /api/v1/admin/users/:id/role',
        'PATCH /api/v1/admin/users/:id',
        'DELETE /api/v1/admin/users/:id',
        'GET /api/v1/admin/users/:id/diagnosis',
        'POST /api/v1/admin/users/:id/reconcile',
      ]),
    );
  });

  it('no token: 401 AUTH_TOKEN_MISSING on every route', async () => {
    for (const r of routes) {
      const res = await call(r);
      expect([r.method, r.path, res.status, (res.body as { error?: { code?: string } }).error?.code]).toEqual([r.method, r.path, 401, 'AUTH_TOKEN_MISSING']);
    }
  });

  it('a plain user: 403 FORBIDDEN on every route', async () => {
    for (const r of routes) {
      const res = await call(r, user.token);
      expect([r.method, r.path, res.status, (res.body as { error?: { code?: string } }).error?.code]).toEqual([r.method, r.path, 403, 'FORBIDDEN']);
    }
  });

  it('an auditor: every GET is served, every write is 403 FORBIDDEN', async () => {
    for (const r of routes) {
      const res = await call(r, auditor.token);
      if (r.method === 'GET') expect([r.method, r.path, res.status]).toEqual([r.method, r.path, 200]);
      else expect([r.method, r.path, res.status, (res.body as { error?: { code?: string } }).error?.code]).toEqual([r.method, r.path, 403, 'FORBIDDEN']);
    }
  });

  it('an admin passes the role check on every route (an empty body is then a 400, never a 401/403)', async () => {
    for (const r of routes) {
      const res = await call(r, admin.token);
      expect([r.method, r.path, [401, 403].includes(res.status), res.status < 500]).toEqual([r.method, r.path, false, true]);
    }
  });

  it('no password hash, TOTP secret, code or token in any admin answer', async () => {
    const answers = [
      await api.get(`/api/v1/admin/users?limit=200`, admin.token),
      await api.get(`/api/v1/admin/users/${target.id}`, admin.token),
      await api.get(`/api/v1/admin/users/${admin.id}`, admin.token),
      await api.get(`/api/v1/admin/approvals`, admin.token),
      await api.get(`/api/v1/admin/users/${target.id}/diagnosis`, admin.token),
      await api.post(`/api/v1/admin/users/${target.id}/reconcile`, {}, admin.token),
      await api.post(`/api/v1/admin/users/${target.id}/require-mfa`, {}, admin.token),
      await api.post(`/api/v1/admin/users/${target.id}/set-password`, { password: 'another passphrase 9', permanent: false }, admin.token),
      await api.post(`/api/v1/admin/users`, { email: `created.${Date.now()}@example.com`, temporaryPassword: 'temporary passphrase 2', sendInvite: false }, admin.token),
    ];
    for (const a of answers) {
      expect(a.status).toBeLessThan(300);
      expect(secretsIn(a.body)).toEqual([]);
      expect(JSON.stringify(a.body)).not.toContain('temporary passphrase 2');
    }
    expect((answers[0]!.body as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(4);
  });
});
