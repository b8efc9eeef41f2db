import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { COGNITO_CLIENT } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { LocalAdmin } from '../../../src/auth/providers/local/local-admin.service';
import { RELAXED_AUTH_LIMITS, startTestApp, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { announced, setStatus } from '../../support/user-factory';

/** Distinct values, so the test can tell they never reach an answer. cognito-local checks no signature. */
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIASELFTESTKEYID', AWS_SECRET_ACCESS_KEY: 'self-test-secret-never-shown-0123456789' };
const PASSWORD = 'Correct-horse-1';
type Row = { check: string; status: string; detail: string; iamAction?: string };
type TestAnswer = { ok: boolean; provider: string; checks: Row[] };

async function activate(t: TestApp, email: string, role?: string): Promise<void> {
  const db = t.app.get(DataSource);
  const [row] = (await db.query('SELECT id FROM auth.users WHERE email = $1', [email])) as Array<{ id: string }>;
  await announced(t.app.get(EventEmitter2), async () => {
    await setStatus(db, row!.id, 'active');
    if (role) await db.query('UPDATE auth.users SET role = $2 WHERE id = $1', [row!.id, role]);
    return row!.id;
  });
}

/** Issue #11: GET /admin/provider and POST /admin/provider/test against cognito-local. */
describe('admin provider page (cognito-local)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let n = 0;

  beforeAll(async () => {
    fixture = await startCognitoApp(RELAXED_AUTH_LIMITS, { keys: KEYS });
    ({ cl, t, api } = fixture);
  });
  afterAll(() => fixture?.close());

  /** A Cognito user in `group`, signed in through Gatehouse, made active; returns the access token. */
  async function signedIn(group?: string): Promise<{ token: string; email: string }> {
    const email = `prov${++n}.${Date.now()}@example.com`;
    await cl.client.send(new AdminCreateUserCommand({ UserPoolId: cl.userPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
    await cl.client.send(new AdminSetUserPasswordCommand({ UserPoolId: cl.userPoolId, Username: email, Password: PASSWORD, Permanent: true }));
    if (group) await cl.client.send(new AdminAddUserToGroupCommand({ UserPoolId: cl.userPoolId, Username: email, GroupName: group }));
    const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    await activate(t, email);
    return { token: login.body.accessToken, email };
  }

  it('role rules: no token 401, user 403, auditor may GET but not test, admin both', async () => {
    const [user, auditor, admin] = [await signedIn(), await signedIn('Auditors'), await signedIn('Admins')];
    expect((await api.get('/api/v1/admin/provider')).status).toBe(401);
    expect((await api.post('/api/v1/admin/provider/test')).status).toBe(401);
    expect((await api.get('/api/v1/admin/provider', user.token)).status).toBe(403);
    expect((await api.post('/api/v1/admin/provider/test', {}, user.token)).status).toBe(403);
    expect((await api.get('/api/v1/admin/provider', auditor.token)).status).toBe(200);
    expect((await api.post('/api/v1/admin/provider/test', {}, auditor.token)).status).toBe(403);
    expect((await api.get('/api/v1/admin/provider', admin.token)).status).toBe(200);
    expect((await api.post('/api/v1/admin/provider/test', {}, admin.token)).status).toBe(200);
  });

  it('GET /provider: settings present (never values), MFA mode, policy, client flows and writable attributes, newest users, mirror size', async () => {
    // cognito-local keeps creation times to the second: start in a fresh second so this admin is strictly the newest.
    await new Promise((r) => setTimeout(r, 1_005 - (Date.now() % 1_000)));
    const admin = await signedIn('Admins');
    const res = await api.get<Record<string, unknown>>('/api/v1/admin/provider', admin.token);
    expect(res.status).toBe(200);
    const body = res.body as {
      provider: unknown;
      settings: Array<{ name: string; present: boolean }>;
      directory: { mfa: string; passwordPolicy: unknown };
      client: { authFlows: string[]; writeAttributes: string[]; hasSecret: boolean };
      newestUsers: { users: Array<{ email: string }>; complete: boolean };
      mirroredUsers: number;
    };
    expect(body.provider).toEqual({ active: 'cognito', fellBack: false, requested: 'cognito', missing: [] });
    const present = Object.fromEntries(body.settings.map((s) => [s.name, s.present]));
    expect(present).toMatchObject({ COGNITO_USER_POOL_ID: true, COGNITO_CLIENT_ID: true, COGNITO_CLIENT_SECRET: false, AWS_SECRET_ACCESS_KEY: true });
    expect(body.directory.mfa).toBe('optional');
    expect(body.directory.passwordPolicy).toBeDefined();
    expect(body.client.authFlows).toEqual(expect.arrayContaining(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']));
    expect(Array.isArray(body.client.writeAttributes)).toBe(true);
    expect(body.newestUsers.complete).toBe(true);
    expect(body.newestUsers.users[0]?.email).toBe(admin.email);
    const [{ count }] = (await t.app.get(DataSource).query(`SELECT count(*)::int AS count FROM auth.users WHERE auth_provider = 'cognito'`)) as Array<{ count: number }>;
    expect(body.mirroredUsers).toBe(count);
    const text = JSON.stringify(res.body);
    for (const secret of Object.values(KEYS)) expect(text).not.toContain(secret);
  });

  it('POST /provider/test: one row per check, all allowed here, nothing left behind, audited with the acting admin', async () => {
    const admin = await signedIn('Admins');
    const before = (await cl.client.send(new ListUsersCommand({ UserPoolId: cl.userPoolId }))).Users?.length;
    const res = await api.post<TestAnswer>('/api/v1/admin/provider/test', {}, admin.token);
    expect(res.status).toBe(200);
    const checks = res.body.checks.map((c) => c.check);
    expect(checks).toEqual(expect.arrayContaining(['credentials', 'pool and region', 'DescribeUserPool', 'ListUsers', 'AdminCreateUser', 'AdminDisableUser', 'AdminAddUserToGroup', 'AdminSetUserPassword']));
    expect(res.body.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(res.body.ok).toBe(true);
    // cognito-local lacks these three: they are skipped, not passed.
    expect(res.body.checks.filter((c) => c.status === 'skip').map((c) => c.check).sort()).toEqual(['AdminResetUserPassword', 'AdminSetUserMFAPreference', 'AdminUserGlobalSignOut']);
    expect((await cl.client.send(new ListUsersCommand({ UserPoolId: cl.userPoolId }))).Users?.length).toBe(before);
    const text = JSON.stringify(res.body);
    for (const secret of Object.values(KEYS)) expect(text).not.toContain(secret);
    const audit = (await t.app.get(DataSource).query(
      `SELECT e.actor, e.detail FROM auth.user_events e JOIN auth.users u ON u.id = e.user_id WHERE u.email = $1 AND e.type = 'admin.provider_tested'`,
      [admin.email],
    )) as Array<{ actor: string; detail: { requestId: string; ok: boolean } }>;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toMatch(/^admin:[0-9a-f-]{36}$/);
    expect(audit[0]!.detail).toMatchObject({ requestId: res.headers.get('x-request-id'), ok: true });
  });

  it('names the exact IAM action that is denied', async () => {
    const admin = await signedIn('Admins');
    // aws-sdk-client-mock ONLY for the denial: cognito-local has no IAM, so it can never answer AccessDeniedException.
    // Every other command passes through to cognito-local (callThrough).
    const mock = mockClient(t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT));
    try {
      mock.send.callThrough();
      mock.on(AdminDisableUserCommand).rejects(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/gatehouse is not authorized'), { name: 'AccessDeniedException' }));
      const res = await api.post<TestAnswer>('/api/v1/admin/provider/test', {}, admin.token);
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.checks.filter((c) => c.status === 'fail')).toEqual([
        { check: 'AdminDisableUser', status: 'fail', iamAction: 'cognito-idp:AdminDisableUser', detail: expect.stringContaining('cognito-idp:AdminDisableUser') },
      ]);
      expect(JSON.stringify(res.body)).not.toContain('arn:aws');
    } finally {
      mock.restore();
    }
  });

  it('is rate-limited per admin (the throttler): the sixth run within a minute is 429', async () => {
    const admin = await signedIn('Admins');
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await api.post('/api/v1/admin/provider/test', {}, admin.token)).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

/** The local provider answers what applies to it; a half-configured Cognito that fell back says so. */
describe('admin provider page (local provider, fallen back from cognito)', () => {
  let t: TestApp;
  let api: JsonClient;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_PROVIDER: 'cognito', COGNITO_CLIENT_ID: 'half-configured', LOGIN_MAX_ATTEMPTS: '1000' });
    api = new JsonClient(t.url);
  });
  afterAll(() => t?.close());

  async function localAdmin(): Promise<string> {
    const email = `local-admin.${randomUUID()}@example.com`;
    const port = t.app.get(LocalAdmin);
    const { userId } = await port.createUser({ email, temporaryPassword: PASSWORD, emailVerified: true, suppressInvite: true }, { userId: randomUUID() });
    await port.setPassword(userId, PASSWORD, true);
    await activate(t, email, 'admin');
    const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    return login.body.accessToken;
  }

  it('GET says local is active, that it fell back and what was missing; there is no app client', async () => {
    const token = await localAdmin();
    const res = await api.get<{ provider: unknown; client: unknown; directory: { id: string }; settings: Array<{ provider: string; name: string; present: boolean }>; newestUsers: { users: unknown[] } }>('/api/v1/admin/provider', token);
    expect(res.status).toBe(200);
    expect(res.body.provider).toEqual({ active: 'local', fellBack: true, requested: 'cognito', missing: ['COGNITO_USER_POOL_ID'] });
    expect(res.body.client).toEqual({ unavailable: 'NOT_SUPPORTED' });
    expect(res.body.directory.id).toBe('local');
    expect(res.body.settings).toEqual(expect.arrayContaining([{ provider: 'cognito', name: 'COGNITO_USER_POOL_ID', present: false }, { provider: 'local', name: 'SMTP_URL', present: false }]));
    expect(res.body.newestUsers.users.length).toBeGreaterThan(0);
  });

  it('POST /test runs the local checks', async () => {
    const token = await localAdmin();
    const res = await api.post<TestAnswer>('/api/v1/admin/provider/test', {}, token);
    expect(res.status).toBe(200);
    expect(res.body.provider).toBe('local');
    expect(res.body.checks.map((c) => [c.check, c.status])).toEqual([
      ['provider', 'warn'],
      ['directory', 'pass'],
      ['ListUsers (1)', 'pass'],
      ['signing key', 'warn'],
      ['mail', 'warn'],
    ]);
  });
});
