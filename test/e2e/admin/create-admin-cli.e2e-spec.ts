import { AdminGetUserCommand, AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../../src/database/embedded-postgres';
import { resetCognitoClients } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { startTestApp, testDatabaseUrl } from '../../support/app';
import { COGNITO_LOCAL_CREDENTIALS } from '../../support/cognito-app';
import { COGNITO_LOCAL_KEYS, startCognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { totp } from '../../support/totp';

const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const CLI = join(ROOT, 'dist', 'cli.js');
const EMPTY_CWD = mkdtempSync(join(tmpdir(), 'gatehouse-cli-cwd-'));
const PASSWORD = 'Correct-horse-1';
const BASE_ENV = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as an operator runs it, from an empty folder (no developer .env). */
function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...BASE_ENV, ...env }, cwd: EMPTY_CWD });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The built server on the embedded database (no DATABASE_URL), listening once its line is logged. */
async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], { env: { ...BASE_ENV, DATA_DIR: dataDir, PORT: String(port) }, cwd: EMPTY_CWD });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Gatehouse listening/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => reject(new Error(`server exited: ${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const describeBuilt = existsSync(CLI) ? describe : describe.skip;
const unique = (tag: string) => `${tag}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;

async function rowOf(email: string): Promise<Record<string, unknown> | undefined> {
  const c = new Client({ connectionString: testDatabaseUrl() });
  await c.connect();
  try {
    const r = await c.query(`SELECT id, role, status, email_verified, approved_at IS NOT NULL AS approved, mfa_required, auth_provider FROM auth.users WHERE email = $1`, [email]);
    return r.rows[0] as Record<string, unknown> | undefined;
  } finally {
    await c.end();
  }
}

/** Issue #11, the first administrator: `node dist/cli.js users:create-admin --email E --password P`. */
describeBuilt('users:create-admin (the built CLI)', () => {
  it('works while the server runs on the embedded database: finds that Postgres, and the admin signs in over HTTP', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-data-'));
    const server = await startServer(dataDir);
    try {
      const email = unique('first-admin');
      const r = await cli(['users:create-admin', '--email', email, '--password', PASSWORD], { DATA_DIR: dataDir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/created admin .* status pending_mfa; database: running embedded server/);

      const api = new JsonClient(server.url);
      const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password: PASSWORD });
      expect(login.status).toBe(200);
      const token = login.body.accessToken;
      expect((await api.get('/api/v1/users/me', token)).body).toMatchObject({ email, role: 'admin', status: 'pending_mfa', emailVerified: true, mfaRequired: true });
      // Not active yet: the admin API is closed until the second factor is enrolled.
      expect((await api.get('/api/v1/admin/provider', token)).status).toBe(403);
      const enrol = await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, token);
      expect(enrol.status).toBe(200);
      expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(enrol.body.secret) }, token)).status).toBe(200);
      expect((await api.get('/api/v1/users/me', token)).body).toMatchObject({ status: 'active', role: 'admin' });
      expect((await api.get('/api/v1/admin/provider', token)).status).toBe(200);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('without a running server it starts the embedded Postgres itself and stops it again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-data-'));
    try {
      const r = await cli(['users:create-admin', '--email', unique('cold'), '--password', PASSWORD], { DATA_DIR: dataDir });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/database: embedded server started by the CLI/);
      expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('with DATABASE_URL: an approved, verified admin with mfa_required; active at once where the MFA step is off', async () => {
    const email = unique('url-admin');
    const r = await cli(['users:create-admin', '--email', email, '--password', PASSWORD], { DATABASE_URL: testDatabaseUrl() });
    expect(r.code).toBe(0);
    expect(await rowOf(email)).toMatchObject({ role: 'admin', status: 'pending_mfa', email_verified: true, approved: true, mfa_required: true, auth_provider: 'local' });
    const noMfa = unique('no-mfa-step');
    expect((await cli(['users:create-admin', '--email', noMfa, '--password', PASSWORD], { DATABASE_URL: testDatabaseUrl(), ONBOARDING_REQUIRE_MFA: 'false' })).code).toBe(0);
    expect(await rowOf(noMfa)).toMatchObject({ role: 'admin', status: 'active', mfa_required: false });
  }, 60_000);

  it('each failure is one clear line with its exit code, and creates nothing', async () => {
    const db = { DATABASE_URL: testDatabaseUrl() };
    const usage = await cli(['users:create-admin', '--email', unique('x')], db);
    expect([usage.code, usage.stderr.trim()]).toEqual([2, 'error: usage: users:create-admin --email E --password P']);
    const badEmail = await cli(['users:create-admin', '--email', 'not-an-address', '--password', PASSWORD], db);
    expect([badEmail.code, badEmail.stderr.trim()]).toEqual([3, 'error: not an email address: "not-an-address"']);
    const weak = unique('weak');
    const weakRun = await cli(['users:create-admin', '--email', weak, '--password', 'short'], db);
    expect(weakRun.code).toBe(3);
    expect(weakRun.stderr.trim()).toBe('error: password refused by the password policy (at least 8 characters; not the address itself)');
    expect(await rowOf(weak)).toBeUndefined();
    const taken = unique('taken');
    expect((await cli(['users:create-admin', '--email', taken, '--password', PASSWORD], db)).code).toBe(0);
    const again = await cli(['users:create-admin', '--email', taken, '--password', PASSWORD], db);
    expect([again.code, again.stderr.trim()]).toEqual([4, 'error: the address belongs to an existing account: pick another, or promote that account through the admin API']);
    const down = await cli(['users:create-admin', '--email', unique('down'), '--password', PASSWORD], { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    expect(down.code).toBe(5);
    expect(down.stderr.trim()).toMatch(/^error: database unreachable \(127\.0\.0\.1:\d+\/none\): ECONNREFUSED$/);
    for (const r of [usage, badEmail, weakRun, again, down]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 90_000);

  it('cognito: AdminCreateUser with a permanent password, verified address, the admin group, and the Gatehouse row', async () => {
    const cl = await startCognitoLocal();
    try {
      const email = unique('cog-admin');
      const r = await cli(['users:create-admin', '--email', email, '--password', PASSWORD], { ...cl.env, ...COGNITO_LOCAL_KEYS, DATABASE_URL: testDatabaseUrl() });
      // The AWS SDK may print its own Node-version notice on stderr; the CLI's lines start with "error:".
      expect(r.stderr).not.toMatch(/^error:/m);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/group Admins/);
      const user = await cl.client.send(new AdminGetUserCommand({ UserPoolId: cl.userPoolId, Username: email }));
      expect(user.UserStatus).toBe('CONFIRMED');
      expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
      const groups = await cl.client.send(new AdminListGroupsForUserCommand({ UserPoolId: cl.userPoolId, Username: user.Username! }));
      expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['Admins']);
      expect(await rowOf(email)).toMatchObject({ role: 'admin', status: 'pending_mfa', approved: true, auth_provider: 'cognito' });
      // Signs in through Gatehouse with the permanent password, as an admin.
      const t = await startTestApp(cl.env, { override: [COGNITO_LOCAL_CREDENTIALS] });
      try {
        const api = new JsonClient(t.url);
        const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password: PASSWORD });
        expect(login.status).toBe(200);
        expect((await api.get('/api/v1/users/me', login.body.accessToken)).body).toMatchObject({ role: 'admin', status: 'pending_mfa' });
      } finally {
        await t.close();
      }
      // No admin group in the pool: refused before anything is created.
      const none = await cli(['users:create-admin', '--email', unique('no-group'), '--password', PASSWORD], { ...cl.env, ...COGNITO_LOCAL_KEYS, DATABASE_URL: testDatabaseUrl(), ROLE_GROUP_MAP: 'Operators:admin' });
      expect(none.code).toBe(6);
      expect(none.stderr).toMatch(/^error: no group of ROLE_GROUP_MAP mapped to admin \(Operators\) exists in pool/m);
    } finally {
      resetCognitoClients();
      await cl.stop();
    }
  }, 120_000);
});
