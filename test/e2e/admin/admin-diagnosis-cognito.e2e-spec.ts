import { AdminAddUserToGroupCommand, AdminCreateUserCommand, AdminDisableUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { announced, setStatus } from '../../support/user-factory';
import { auditRows } from './admin-fixtures';

const PASSWORD = 'Correct-horse-1';
type Finding = { kind: string; effect: string; reconcile?: unknown; fixes: Array<{ by: string; action: string }> };
type DiagnosisBody = { canSignIn: boolean; blockers: Finding[]; drift: Finding[]; gatehouse: Record<string, unknown>; provider: Record<string, unknown> };

/** Issue #15 "why can't this user sign in?" and issue #11's provider view, against cognito-local over HTTP. */
describe('admin diagnosis and reconcile (cognito-local)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: { id: string; token: string };
  let n = 0;

  /** A Cognito user (optionally in `group`), signed in through Gatehouse once (which provisions the row), made `role` and active. */
  async function cognitoUser(group?: string, role?: string): Promise<{ id: string; email: string; token: string }> {
    const email = `diag${++n}.${Date.now()}@example.com`;
    await cl.client.send(new AdminCreateUserCommand({ UserPoolId: cl.userPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
    await cl.client.send(new AdminSetUserPasswordCommand({ UserPoolId: cl.userPoolId, Username: email, Password: PASSWORD, Permanent: true }));
    if (group) await cl.client.send(new AdminAddUserToGroupCommand({ UserPoolId: cl.userPoolId, Username: email, GroupName: group }));
    const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    const [row] = (await db.query('SELECT id FROM auth.users WHERE email = $1', [email])) as Array<{ id: string }>;
    await announced(t.app.get(EventEmitter2), async () => {
      await setStatus(db, row!.id, 'active');
      if (role) await db.query('UPDATE auth.users SET role = $2 WHERE id = $1', [row!.id, role]);
      return row!.id;
    });
    return { id: row!.id, email, token: login.body.accessToken };
  }

  beforeAll(async () => {
    // cognito-local checks no signature; the admin calls need some credentials to sign with.
    fixture = await startCognitoApp(RELAXED_AUTH_LIMITS, { keys: { AWS_ACCESS_KEY_ID: 'AKIADIAGNOSISTEST', AWS_SECRET_ACCESS_KEY: 'diagnosis-test-secret' } });
    ({ cl, t, api, db } = fixture);
    admin = await cognitoUser('Admins', 'admin');
  });
  afterAll(() => fixture?.close());

  const diagnosis = (id: string, token = admin.token) => api.get<DiagnosisBody>(`/api/v1/admin/users/${id}/diagnosis`, token);

  it("GET /users/:id shows the user's Cognito groups and the role they map to; Cognito's own lock is not readable", async () => {
    const auditor = await cognitoUser('Auditors', 'auditor');
    const read = await api.get<{ providerView: Record<string, unknown> }>(`/api/v1/admin/users/${auditor.id}`, admin.token);
    expect(read.body.providerView).toMatchObject({ available: true, enabled: true, status: 'CONFIRMED', groups: ['Auditors'], groupRole: 'auditor', lock: null });
  });

  it('a user in agreement: can sign in, no drift', async () => {
    const u = await cognitoUser();
    const d = await diagnosis(u.id);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ canSignIn: true, blockers: [], drift: [], gatehouse: { status: 'active' }, provider: { available: true, provider: 'cognito', enabled: true } });
  });

  it('disabled at Cognito (AdminDisableUser), active in Gatehouse: drift named with its fix; reconcile lays the block, audited; the drift is gone', async () => {
    const u = await cognitoUser();
    await cl.client.send(new AdminDisableUserCommand({ UserPoolId: cl.userPoolId, Username: u.email }));

    const before = await diagnosis(u.id);
    expect(before.body.canSignIn).toBe(false);
    expect(before.body.drift).toEqual([expect.objectContaining({ kind: 'DISABLED_AT_PROVIDER_ONLY', effect: 'refused', reconcile: { kind: 'disabled' } })]);
    expect(before.body.drift[0]!.fixes[0]).toMatchObject({ by: 'reconcile', action: 'reconcile' });
    expect(before.body.blockers.map((b) => b.kind)).toEqual(['PROVIDER_DISABLED']);
    // Reading changes nothing.
    expect((await db.query('SELECT status FROM auth.users WHERE id = $1', [u.id]))[0].status).toBe('active');

    const done = await api.post<{ entries: unknown[]; manual: string[]; diagnosis: DiagnosisBody }>(`/api/v1/admin/users/${u.id}/reconcile`, {}, admin.token);
    expect(done.status).toBe(200);
    expect(done.body.entries).toEqual([{ kind: 'DISABLED_AT_PROVIDER_ONLY', step: { kind: 'disabled' }, result: 'applied' }]);
    expect(done.body.diagnosis).toMatchObject({ canSignIn: false, drift: [], gatehouse: { status: 'disabled' } });
    const requestId = done.headers.get('x-request-id');
    const rows = await auditRows(db, u.id);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'status.disabled', actor: `admin:${admin.id}`, from_status: 'active', to_status: 'disabled', detail: expect.objectContaining({ source: 'reconcile', requestId }) }),
        expect.objectContaining({ type: 'admin.reconciled', actor: `admin:${admin.id}`, detail: expect.objectContaining({ entries: [{ kind: 'DISABLED_AT_PROVIDER_ONLY', result: 'applied' }], requestId }) }),
      ]),
    );
    // The live access token dies with the block (the watermark), on the next request.
    expect((await api.get('/api/v1/users/me', u.token)).status).toBe(401);
    // Reconciling again finds nothing to apply.
    expect((await api.post<{ entries: unknown[] }>(`/api/v1/admin/users/${u.id}/reconcile`, {}, admin.token)).body.entries).toEqual([]);
  });

  it('a Gatehouse admin whose Cognito groups say user: reconcile demotes (safe); an auditor may diagnose but not reconcile', async () => {
    const u = await cognitoUser(undefined, 'admin');
    const auditor = await cognitoUser('Auditors', 'auditor');
    const d = await diagnosis(u.id, auditor.token);
    expect(d.status).toBe(200);
    expect(d.body.drift).toEqual([expect.objectContaining({ kind: 'ROLE_DIFFERS_FROM_GROUPS', reconcile: { kind: 'role', role: 'user' } })]);
    expect((await api.post(`/api/v1/admin/users/${u.id}/reconcile`, {}, auditor.token)).status).toBe(403);
    const done = await api.post<{ entries: unknown[] }>(`/api/v1/admin/users/${u.id}/reconcile`, {}, admin.token);
    expect(done.body.entries).toEqual([{ kind: 'ROLE_DIFFERS_FROM_GROUPS', step: { kind: 'role', role: 'user' }, result: 'applied' }]);
    expect((await db.query('SELECT role FROM auth.users WHERE id = $1', [u.id]))[0].role).toBe('user');
  });

  it('reconcile keeps the safety rules: an admin disabled at Cognito cannot lay the block on themself (refused, nothing written)', async () => {
    const self = await cognitoUser('Admins', 'admin');
    await cl.client.send(new AdminDisableUserCommand({ UserPoolId: cl.userPoolId, Username: self.email }));
    const done = await api.post<{ entries: unknown[] }>(`/api/v1/admin/users/${self.id}/reconcile`, {}, self.token);
    expect(done.body.entries).toEqual([{ kind: 'DISABLED_AT_PROVIDER_ONLY', step: { kind: 'disabled' }, result: 'refused', reason: 'SELF_ACTION_FORBIDDEN' }]);
    expect((await db.query('SELECT status FROM auth.users WHERE id = $1', [self.id]))[0].status).toBe('active');
    expect((await auditRows(db, self.id)).filter((r) => r.type.startsWith('status.') && r.to_status === 'disabled')).toEqual([]);
  });

  it('an unknown user is 404 USER_NOT_FOUND; a malformed id is 400', async () => {
    expect((await diagnosis('00000000-0000-4000-8000-000000000000')).body).toMatchObject({ error: { code: 'USER_NOT_FOUND' } });
    expect((await diagnosis('not-a-uuid')).status).toBe(400);
  });
});
