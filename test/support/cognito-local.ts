import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';

/**
 * A throw-away cognito-local (the `cognito-local` devDependency, run as a child process) for integration tests.
 *
 * Facts about cognito-local 5.3 that tests and reviewers rely on (verified against its source and by
 * test/integration/cognito-local.facts.e2e-spec.ts):
 * - It has no GlobalSignOut, AdminUserGlobalSignOut, AdminSetUserMFAPreference, AdminResetUserPassword,
 *   AdminSetUserSettings or ResendConfirmationCode: calls fail with `CognitoLocal#Unsupported` (HTTP 500).
 * - It lets a disabled user (AdminDisableUser) sign in: InitiateAuth never checks `Enabled`.
 * - It never checks SECRET_HASH, and a wrong password fails with InvalidPasswordException, not NotAuthorizedException.
 * - VerifySoftwareToken already adds SOFTWARE_TOKEN_MFA to the user's MFA list (real Cognito needs
 *   SetUserMFAPreference for that), so "no challenge without SetUserMFAPreference" can only be tested with a mock.
 * - Tokens are RS256 with kid `CognitoLocal`, `iss` = `<TokenConfig.IssuerDomain>/<poolId>`; access tokens carry
 *   token_use=access, client_id, username, scope, `cognito:groups` (when any) and no `aud`; ID tokens carry
 *   token_use=id, aud=<clientId>, email, email_verified, cognito:username, custom attributes and `cognito:groups`.
 * - The JWKS is served at `<endpoint>/<poolId>/.well-known/jwks.json`; its openid-configuration document hard-codes
 *   http://localhost:9229 and must not be used for discovery.
 * - InitiateAuth returns no ExpiresIn/TokenType, and REFRESH_TOKEN_AUTH returns no new refresh token.
 * - RespondToAuthChallenge does not record the refresh token it returns, so REFRESH_TOKEN_AUTH refuses it afterwards.
 * - SignUp does not enforce the pool's password policy (PASSWORD_POLICY mapping is unit-tested in cognito-errors.spec).
 */
export interface CognitoLocal {
  endpoint: string;
  port: number;
  userPoolId: string;
  clientId: string;
  region: string;
  /** Every confirmation, reset and SMS code cognito-local issues. */
  code: string;
  /** An SDK client pointed at the emulator with dummy credentials (for arranging test state). */
  client: CognitoIdentityProviderClient;
  /** Env for loadConfig / startTestApp. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartCognitoLocalOptions {
  /** App-client write attributes (e.g. to include `custom:role` for the role-claim trust check). */
  writeAttributes?: string[];
  /** Pool-level MFA: OPTIONAL by default (per-user TOTP), ON to force it. */
  mfaConfiguration?: 'OFF' | 'OPTIONAL' | 'ON';
  code?: string;
}

export const COGNITO_LOCAL_CODE = '123456';
const REGION = 'us-east-1';
const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/**
 * The same dummy keys as environment variables, for the app (through AWS_CREDENTIALS_ENV, see cognito-app.ts) and the
 * CLI: cognito-local ignores them, but without them the SDK's default chain goes looking for real credentials.
 */
export const COGNITO_LOCAL_KEYS: Readonly<Record<string, string>> = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`cognito-local exited (${child.exitCode}): ${output()}`);
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`cognito-local did not become healthy: ${output()}`);
}

async function spawnOnce(code: string): Promise<{ child: ChildProcess; dir: string; port: number; endpoint: string }> {
  // The port is chosen before the start so the issuer can be written into the config; if another process takes it
  // in between, the child exits with EADDRINUSE and the caller retries with a new port.
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cognito-'));
  mkdirSync(join(dir, '.cognito', 'db'), { recursive: true });
  writeFileSync(
    join(dir, '.cognito', 'config.json'),
    JSON.stringify({
      TokenConfig: { IssuerDomain: endpoint },
      ServerConfig: { port, hostname: '127.0.0.1', https: false, development: false },
    }),
  );
  const startJs = join(dirname(require.resolve('cognito-local/package.json')), 'lib', 'bin', 'start.js');
  const child = spawn(process.execPath, [startJs], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', CODE: code },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    await waitForHealth(endpoint, child, () => out);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { child, dir, port, endpoint };
}

/**
 * Starts cognito-local on a free loopback port with its data in a fresh temporary directory, then creates a pool
 * (email as username, email auto-verified), an app client (USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH, no secret) and
 * the groups Admins and Auditors. Call `stop()` in afterAll.
 */
export async function startCognitoLocal(opts: StartCognitoLocalOptions = {}): Promise<CognitoLocal> {
  const code = opts.code ?? COGNITO_LOCAL_CODE;
  let started: Awaited<ReturnType<typeof spawnOnce>> | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    try {
      started = await spawnOnce(code);
    } catch (err) {
      lastError = err;
    }
  }
  if (!started) throw lastError;
  const { child, dir, port, endpoint } = started;

  const client = new CognitoIdentityProviderClient({ region: REGION, endpoint, credentials: DUMMY_CREDENTIALS });
  const stop = async (): Promise<void> => {
    client.destroy();
    const running = (): boolean => child.exitCode === null && child.signalCode === null;
    if (running()) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      if (running()) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const pool = await client.send(
      new CreateUserPoolCommand({
        PoolName: 'gatehouse-test',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        MfaConfiguration: opts.mfaConfiguration ?? 'OPTIONAL',
      }),
    );
    const userPoolId = pool.UserPool!.Id!;
    const app = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'gatehouse',
        ExplicitAuthFlows: [ExplicitAuthFlowsType.ALLOW_USER_PASSWORD_AUTH, ExplicitAuthFlowsType.ALLOW_REFRESH_TOKEN_AUTH],
        WriteAttributes: opts.writeAttributes,
      }),
    );
    const clientId = app.UserPoolClient!.ClientId!;
    for (const GroupName of ['Admins', 'Auditors']) {
      await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
    }
    return {
      endpoint,
      port,
      userPoolId,
      clientId,
      region: REGION,
      code,
      client,
      env: {
        AUTH_PROVIDER: 'cognito',
        COGNITO_USER_POOL_ID: userPoolId,
        COGNITO_CLIENT_ID: clientId,
        COGNITO_ENDPOINT: endpoint,
        AWS_REGION: REGION,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
