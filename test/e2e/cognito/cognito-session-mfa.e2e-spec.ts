import { readFileSync } from 'node:fs';
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import jwt, { JwtPayload } from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { COGNITO_CLIENT } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { RejectReason } from '../../../src/auth/tokens/reject-reason';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { LogCapture } from '../../support/log-capture';
import { totp } from '../../support/totp';

/**
 * #20.4, the rest: a Cognito session Gatehouse did not open (tokens from a direct InitiateAuth, not /auth/login) is
 * checked once, at its first sight, for the TOTP factor Gatehouse's row says is enrolled. Everything runs against
 * cognito-local over HTTP except AdminSetUserMFAPreference, which cognito-local lacks: that one call is answered in
 * the test (`answerLocally`) and recorded.
 */
describe('Cognito: a session Gatehouse has not seen is checked once for the enrolled factor (#20.4)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let n = 0;
  const logs = new LogCapture();
  const PASSWORD = 'Correct-horse-1';

  beforeAll(async () => {
    fixture = await startCognitoApp({ ...RELAXED_AUTH_LIMITS, LOG_LEVEL: 'info' }, { logDestination: logs.stream });
    ({ cl, t, api, db } = fixture);
  });
  afterAll(() => fixture?.close());

  const settled = () => (t.app.get(CognitoAuthProvider) as unknown as { whenIdle?: () => Promise<void> }).whenIdle?.();
  const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;
  const requestIdOf = (body: unknown) => (body as { error?: { requestId?: string } }).error?.requestId ?? '';

  /** A confirmed user with TOTP enrolled through Gatehouse (the row says mfa_method = totp). */
  async function userWithTotp(): Promise<{ address: string; secret: string; accessToken: string }> {
    const address = `smfa${++n}.${Date.now()}@example.com`;
    expect((await api.post('/api/v1/auth/register', { email: address, password: PASSWORD })).status).toBe(202);
    await settled();
    expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: cl.code })).status).toBe(200);
    const login = await api.post<Record<string, string>>('/api/v1/auth/login', { email: address, password: PASSWORD });
    const enrol = await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, login.body.accessToken);
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(enrol.body.secret) }, login.body.accessToken)).status).toBe(200);
    const row = ((await db.query(`SELECT mfa_method FROM auth.users WHERE email = $1`, [address])) as Array<{ mfa_method: string }>)[0];
    expect(row?.mfa_method).toBe('totp');
    return { address, secret: enrol.body.secret, accessToken: login.body.accessToken! };
  }

  /** Signs in at Cognito directly, as any holder of the password can with the pool's public client id. */
  async function directSignIn(address: string, secret?: string): Promise<string> {
    const out = await cl.client.send(
      new InitiateAuthCommand({ ClientId: cl.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: address, PASSWORD: PASSWORD } }),
    );
    if (out.AuthenticationResult?.AccessToken) return out.AuthenticationResult.AccessToken;
    if (out.ChallengeName !== 'SOFTWARE_TOKEN_MFA' || !secret) throw new Error(`unexpected challenge ${out.ChallengeName ?? 'none'}`);
    const next = await cl.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: cl.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: out.Session,
        ChallengeResponses: { USERNAME: out.ChallengeParameters?.USER_ID_FOR_SRP ?? address, SOFTWARE_TOKEN_MFA_CODE: totp(secret) },
      }),
    );
    return next.AuthenticationResult!.AccessToken!;
  }

  /** Counts (and, for `answer`, answers with `{}`) commands the app sends; every other command goes to cognito-local. */
  function watch(answer?: abstract new (...args: never[]) => { input: unknown }) {
    const real = t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT);
    const send = real.send.bind(real) as (cmd: unknown) => Promise<unknown>;
    const seen: Array<{ name: string; input: unknown }> = [];
    const spy = jest.spyOn(real, 'send').mockImplementation(((cmd: { input: unknown }) => {
      seen.push({ name: cmd.constructor.name, input: cmd.input });
      if (answer && cmd instanceof answer) return Promise.resolve({});
      return send(cmd);
    }) as never);
    return { of: (c: { name: string }) => seen.filter((s) => s.name === c.name).map((s) => s.input), restore: () => spy.mockRestore() };
  }

  it('TOTP switched off at Cognito, tokens from a direct InitiateAuth: 401 AUTH_TOKEN_REVOKED (SESSION_WITHOUT_MFA), the session revoked, TOTP put back', async () => {
    const { address, accessToken } = await userWithTotp();
    await cl.client.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false } }));
    const bypass = await directSignIn(address);
    const claims = jwt.decode(bypass) as JwtPayload;

    const calls = watch(AdminSetUserMFAPreferenceCommand);
    try {
      const me = await api.get('/api/v1/users/me', bypass);
      expect([me.status, codeOf(me.body)]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
      expect(logs.rejectionReason(requestIdOf(me.body))).toBe(RejectReason.SESSION_WITHOUT_MFA);
      // cognito-local lacks AdminSetUserMFAPreference: answered here; the call Gatehouse sent is what is asserted.
      expect(calls.of(AdminSetUserMFAPreferenceCommand)).toEqual([
        { UserPoolId: cl.userPoolId, Username: claims.username, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } },
      ]);
      // The session stays refused: revoked, no second look-up at Cognito.
      const again = await api.get('/api/v1/users/me', bypass);
      expect([again.status, codeOf(again.body)]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
      expect(logs.rejectionReason(requestIdOf(again.body))).toBe(RejectReason.SESSION_REVOKED);
      expect(calls.of(AdminGetUserCommand)).toHaveLength(1);
    } finally {
      calls.restore();
    }
    const revoked = (await db.query(`SELECT key, reason FROM auth.revoked_sessions WHERE key = $1`, [`jti:${claims.jti as string}`])) as Array<{ reason: string }>;
    expect(revoked).toEqual([{ key: `jti:${claims.jti as string}`, reason: 'session_without_mfa' }]);
  });

  it('a normal MFA session passes, and is checked once: one AdminGetUser for every request and token of the session', async () => {
    const { address, secret } = await userWithTotp();
    const access = await directSignIn(address, secret);
    const calls = watch();
    try {
      for (let i = 0; i < 3; i++) expect((await api.get('/api/v1/users/me', access)).status).toBe(200);
      expect(calls.of(AdminGetUserCommand)).toHaveLength(1);
      // Another access token of the same session (real Cognito's refresh keeps origin_jti; cognito-local sets none, so
      // both are signed here with cognito-local's published key): the session has passed, nothing more is asked.
      const keyFile = join(dirname(require.resolve('cognito-local/package.json')), 'lib', 'keys', 'cognitoLocal.private.json');
      const key = createPrivateKey({ key: (JSON.parse(readFileSync(keyFile, 'utf8')) as { jwk: JsonWebKey }).jwk, format: 'jwk' });
      const claims = jwt.decode(access) as JwtPayload;
      const now = Math.floor(Date.now() / 1000);
      const sign = (jti: string) => jwt.sign({ ...claims, iat: now, exp: now + 600, jti, origin_jti: `origin-${n}` }, key, { algorithm: 'RS256', keyid: 'CognitoLocal' });
      expect((await api.get('/api/v1/users/me', sign(`a-${n}`))).status).toBe(200);
      expect(calls.of(AdminGetUserCommand)).toHaveLength(2);
      expect((await api.get('/api/v1/users/me', sign(`b-${n}`))).status).toBe(200);
      expect(calls.of(AdminGetUserCommand)).toHaveLength(2);
    } finally {
      calls.restore();
    }
  });
});
