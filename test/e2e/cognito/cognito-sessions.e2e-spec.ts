import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  SetUserMFAPreferenceCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import jwt, { JwtPayload } from 'jsonwebtoken';
import { createPrivateKey } from 'node:crypto';
import { DataSource } from 'typeorm';
import { COGNITO_CLIENT } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { LOCAL_USER_ISSUER } from '../../../src/auth/tokens/key-source';
import { OnboardingService } from '../../../src/users/onboarding/onboarding.service';
import { UsersService } from '../../../src/users/users.service';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { startSmtpCapture, SmtpCapture } from '../../support/smtp-capture';
import { totp } from '../../support/totp';
import { setStatus, userFactory } from '../../support/user-factory';

/**
 * Issue #20 (items 1–4, 11, 12) and #9's Cognito bullets, through Gatehouse's HTTP API against cognito-local and a
 * real SMTP capture. cognito-local lacks AdminUserGlobalSignOut and AdminSetUserMFAPreference: the steps that must
 * show those calls answer that one command in the test (`answerLocally`) and say so; every other call is cognito-local.
 */
describe('Cognito sessions, identities and MFA (cognito-local over HTTP)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let n = 0;
  const PASSWORD = 'Correct-horse-1';

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    fixture = await startCognitoApp({ ...RELAXED_AUTH_LIMITS, SMTP_URL: smtp.url });
    ({ cl, t, api, db } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
    await smtp?.close();
  });

  const issuer = () => `${cl.endpoint}/${cl.userPoolId}`;
  const email = () => `sess${++n}.${Date.now()}@example.com`;
  /** Registration answers before its Cognito work is done (#20.6): wait for that work where a test depends on it. */
  const settled = () => (t.app.get(CognitoAuthProvider) as unknown as { whenIdle?: () => Promise<void> }).whenIdle?.();
  const register = async (address: string, password = PASSWORD) => {
    const res = await api.post('/api/v1/auth/register', { email: address, password });
    await settled();
    return res;
  };
  const login = (address: string, password = PASSWORD) => api.post<Record<string, string>>('/api/v1/auth/login', { email: address, password });
  const rowsOf = async (subject: string) =>
    (await db.query(`SELECT id, email, status, tokens_valid_after FROM auth.users WHERE issuer = $1 AND subject = $2`, [issuer(), subject])) as Array<Record<string, unknown>>;
  const rowByEmail = async (address: string) => ((await db.query(`SELECT * FROM auth.users WHERE email = $1`, [address])) as Array<Record<string, unknown>>)[0];
  const subOf = async (address: string) =>
    (await cl.client.send(new AdminGetUserCommand({ UserPoolId: cl.userPoolId, Username: address }))).UserAttributes!.find((a) => a.Name === 'sub')!.Value!;
  const confirmedUser = () => userFactory.cognito.confirmed(api, cl.code, PASSWORD, { email: email(), settle: async () => void (await settled()) });
  const nextSecond = () => new Promise((r) => setTimeout(r, 1_050 - (Date.now() % 1_000)));

  /**
   * Answers one command cognito-local lacks (AdminUserGlobalSignOut, AdminSetUserMFAPreference) on the app's SDK client
   * with `{}` and records its input; every other command still goes to cognito-local. A spy rather than
   * aws-sdk-client-mock, because the mock would answer every other command of the same step too.
   */
  function answerLocally(command: abstract new (...args: never[]) => { input: unknown }): { calls: unknown[]; restore: () => void } {
    const real = t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT);
    const send = real.send.bind(real) as (cmd: unknown) => Promise<unknown>;
    const calls: unknown[] = [];
    const spy = jest.spyOn(real, 'send').mockImplementation(((cmd: { input: unknown }) => {
      if (cmd instanceof command) {
        calls.push(cmd.input);
        return Promise.resolve({});
      }
      return send(cmd);
    }) as never);
    return { calls, restore: () => spy.mockRestore() };
  }

  describe('#20.1 a reset or sign-out ends the Cognito session', () => {
    it('after a password reset the old refresh token mints nothing: 401 REFRESH_TOKEN_INVALID', async () => {
      const address = await confirmedUser();
      const before = await login(address);
      expect(before.status).toBe(200);
      await nextSecond();
      expect((await api.post('/api/v1/auth/password/forgot', { email: address })).status).toBe(202);
      expect((await api.post('/api/v1/auth/password/reset', { email: address, code: cl.code, newPassword: 'Another-horse-2' })).status).toBe(200);
      const refreshed = await api.post<Record<string, string>>('/api/v1/auth/refresh', { refreshToken: before.body.refreshToken });
      expect([refreshed.status, refreshed.body]).toEqual([401, { error: expect.objectContaining({ code: 'REFRESH_TOKEN_INVALID' }) }]);
    });

    it('a suspended user gets nothing from /auth/refresh', async () => {
      const address = await confirmedUser();
      const { body } = await login(address);
      await t.app.get(OnboardingService).apply((await rowByEmail(address))!.id as string, 'SUSPENDED', 'admin:test');
      const refreshed = await api.post('/api/v1/auth/refresh', { refreshToken: body.refreshToken });
      expect(refreshed.status).toBeGreaterThanOrEqual(401);
      expect(refreshed.status).toBeLessThan(404);
      expect(refreshed.body).not.toHaveProperty('accessToken');
    });

    it('a token minted after the watermark for a session that began before it (auth_time, as real Cognito refreshes) is revoked', async () => {
      const address = await confirmedUser();
      const first = await login(address);
      const claims = jwt.decode(first.body.accessToken) as JwtPayload;
      await nextSecond();
      await api.post('/api/v1/auth/sign-out', {}, first.body.accessToken); // 503 from cognito-local; the watermark is set first
      await nextSecond();
      // Real Cognito keeps auth_time (the original sign-in) in refreshed tokens; cognito-local resets it. The token a
      // real refresh would mint is signed here with cognito-local's private key (published in its npm package).
      const keyFile = join(dirname(require.resolve('cognito-local/package.json')), 'lib', 'keys', 'cognitoLocal.private.json');
      const key = createPrivateKey({ key: (JSON.parse(readFileSync(keyFile, 'utf8')) as { jwk: import('node:crypto').JsonWebKey }).jwk, format: 'jwk' });
      const now = Math.floor(Date.now() / 1000);
      const refreshedLike = jwt.sign({ ...claims, iat: now, exp: now + 600, jti: `r-${n}` }, key, { algorithm: 'RS256', keyid: 'CognitoLocal' });
      const me = await api.get('/api/v1/users/me', refreshedLike);
      expect([me.status, me.body]).toEqual([401, { error: expect.objectContaining({ code: 'AUTH_TOKEN_REVOKED' }) }]);
    });

    it('a reset calls AdminUserGlobalSignOut for the identity reset (mocked: cognito-local lacks it)', async () => {
      const address = await confirmedUser();
      const sub = await subOf(address);
      await api.post('/api/v1/auth/password/forgot', { email: address });
      // Every other call of the reset goes to cognito-local; only AdminUserGlobalSignOut is answered here.
      const { calls, restore } = answerLocally(AdminUserGlobalSignOutCommand);
      try {
        expect((await api.post('/api/v1/auth/password/reset', { email: address, code: cl.code, newPassword: 'Another-horse-2' })).status).toBe(200);
      } finally {
        restore();
      }
      expect(calls).toEqual([{ UserPoolId: cl.userPoolId, Username: sub }]);
    });
  });

  describe('#20.2 pre-registration hijack', () => {
    it("an unconfirmed registration by someone else is replaced: only the mailbox owner's password signs in", async () => {
      const victim = email();
      expect((await register(victim, 'Attacker-pass-1')).status).toBe(202);
      expect((await register(victim, 'Victim-pass-22')).status).toBe(202);
      expect((await api.post('/api/v1/auth/confirm-email', { email: victim, code: cl.code })).status).toBe(200);
      expect((await login(victim, 'Attacker-pass-1')).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
      expect((await login(victim, 'Victim-pass-22')).status).toBe(200);
      // One Gatehouse row, for the identity that now exists at Cognito.
      expect(await rowsOf(await subOf(victim))).toHaveLength(1);
      expect((await db.query(`SELECT count(*)::int AS c FROM auth.users WHERE email = $1`, [victim]))[0].c).toBe(1);
    });

    it('registering a confirmed address answers the same 202, keeps the password and mails the owner', async () => {
      const owner = await confirmedUser();
      smtp.clear();
      expect((await register(owner, 'Attacker-pass-1')).status).toBe(202);
      const mail = await smtp.waitFor(owner);
      expect(mail.subject).toMatch(/tried to sign up/i);
      expect((await login(owner, 'Attacker-pass-1')).status).toBe(401);
      expect((await login(owner)).status).toBe(200);
    });
  });

  describe('#20.3 identities by (issuer, sub)', () => {
    it("a Cognito identity with a local user's address: 409 EMAIL_IN_USE at confirm and login, never a 500 or a row without address", async () => {
      const address = email();
      const { user: local } = await t.app.get(UsersService).provision({ issuer: LOCAL_USER_ISSUER, subject: `local-${n}`, authProvider: 'local', email: address, emailVerified: true, fullName: null, role: 'user', organizationId: null });
      await setStatus(db, local.id, 'active');
      expect((await register(address)).status).toBe(202);
      const confirmed = await api.post('/api/v1/auth/confirm-email', { email: address, code: cl.code });
      expect([confirmed.status, confirmed.body]).toEqual([409, { error: expect.objectContaining({ code: 'EMAIL_IN_USE' }) }]);
      for (let i = 0; i < 2; i++) {
        const res = await login(address);
        expect([res.status, res.body]).toEqual([409, { error: expect.objectContaining({ code: 'EMAIL_IN_USE' }) }]);
      }
      expect(await rowsOf(await subOf(address))).toEqual([]);
      expect(await rowByEmail(address)).toMatchObject({ auth_provider: 'local', status: 'active' });
    });

    it('a Cognito user deleted and registered again: 409 EMAIL_IN_USE, the old row is neither verified, revoked nor duplicated', async () => {
      const address = await confirmedUser();
      expect((await login(address)).status).toBe(200);
      const old = (await rowByEmail(address))!;
      await cl.client.send(new AdminDeleteUserCommand({ UserPoolId: cl.userPoolId, Username: address }));
      expect((await register(address, 'Second-life-pw-3')).status).toBe(202);
      const confirmed = await api.post('/api/v1/auth/confirm-email', { email: address, code: cl.code });
      expect([confirmed.status, confirmed.body]).toEqual([409, { error: expect.objectContaining({ code: 'EMAIL_IN_USE' }) }]);
      for (let i = 0; i < 2; i++) expect((await login(address, 'Second-life-pw-3')).body).toMatchObject({ error: { code: 'EMAIL_IN_USE' } });
      await api.post('/api/v1/auth/password/forgot', { email: address });
      await api.post('/api/v1/auth/password/reset', { email: address, code: cl.code, newPassword: 'Third-life-pw-4' });
      expect(await rowByEmail(address)).toMatchObject({ id: old.id, tokens_valid_after: null });
      expect(await rowsOf(await subOf(address))).toEqual([]);
    });

    it("an address changed at Cognito follows the identity: login updates the row's email, a reset revokes that identity", async () => {
      const address = await confirmedUser();
      const sub = await subOf(address);
      const changed = email();
      await cl.client.send(
        new AdminUpdateUserAttributesCommand({ UserPoolId: cl.userPoolId, Username: address, UserAttributes: [{ Name: 'email', Value: changed }, { Name: 'email_verified', Value: 'true' }] }),
      );
      const res = await login(changed);
      expect(res.status).toBe(200);
      expect((await rowsOf(sub))[0]).toMatchObject({ email: changed });
      await nextSecond();
      await api.post('/api/v1/auth/password/forgot', { email: changed });
      expect((await api.post('/api/v1/auth/password/reset', { email: changed, code: cl.code, newPassword: 'Another-horse-2' })).status).toBe(200);
      expect((await rowsOf(sub))[0]!.tokens_valid_after).toBeInstanceOf(Date);
      expect((await api.get('/api/v1/users/me', res.body.accessToken)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    });
  });

  describe('#20.4 enrolled TOTP is enforced at login', () => {
    it('TOTP turned off behind Gatehouse (SetUserMFAPreference at Cognito) → 401 MFA_REQUIRED, and the preference is restored (mocked step)', async () => {
      const address = await confirmedUser();
      const { body } = await login(address);
      const enrol = await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, body.accessToken);
      expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(enrol.body.secret) }, body.accessToken)).status).toBe(200);
      // The attacker (or the user) with an access token switches the factor off at Cognito directly.
      await cl.client.send(new SetUserMFAPreferenceCommand({ AccessToken: body.accessToken, SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false } }));
      const refused = await login(address);
      expect([refused.status, refused.body]).toEqual([401, { error: expect.objectContaining({ code: 'MFA_REQUIRED' }) }]);
      expect(refused.body).not.toHaveProperty('accessToken');

      // cognito-local lacks AdminSetUserMFAPreference: the restore is shown with that one call answered here.
      const { calls: restores, restore } = answerLocally(AdminSetUserMFAPreferenceCommand);
      try {
        expect((await login(address)).body).toMatchObject({ error: { code: 'MFA_REQUIRED' } });
      } finally {
        restore();
      }
      expect(restores).toEqual([{ UserPoolId: cl.userPoolId, Username: await subOf(address), SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }]);
    });
  });

  describe('#20.11 / #20.12 the MFA challenge session', () => {
    async function challenged(): Promise<{ address: string; secret: string; session: string }> {
      const address = await confirmedUser();
      const { body } = await login(address);
      const enrol = await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, body.accessToken);
      await api.post('/api/v1/auth/mfa/verify', { code: totp(enrol.body.secret) }, body.accessToken);
      const second = await login(address);
      expect(second.body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
      return { address, secret: enrol.body.secret, session: second.body.session! };
    }

    it("a forged session naming another user's Cognito username never reaches Cognito: 401 MFA_SESSION_INVALID", async () => {
      const victim = await challenged();
      const attacker = await challenged();
      const victimSub = await subOf(victim.address);
      // The pre-fix format: base64url JSON of { u, e, c, s }; cognito-local ignores `s`, so this took over any account.
      const forged = 'cgc1.' + Buffer.from(JSON.stringify({ u: victimSub, e: victim.address, c: 'SOFTWARE_TOKEN_MFA', s: 'anything' })).toString('base64url');
      const res = await api.post('/api/v1/auth/mfa/challenge', { session: forged, code: totp(victim.secret) });
      expect([res.status, res.body]).toEqual([401, { error: expect.objectContaining({ code: 'MFA_SESSION_INVALID' }) }]);
      // Tampering with a real sealed session fails closed too.
      const s = attacker.session;
      const flipped = s.slice(0, -6) + (s.at(-6) === 'A' ? 'B' : 'A') + s.slice(-5);
      expect((await api.post('/api/v1/auth/mfa/challenge', { session: flipped, code: totp(attacker.secret) })).body).toMatchObject({ error: { code: 'MFA_SESSION_INVALID' } });
      expect(s).not.toContain(Buffer.from(attacker.address).toString('base64url').slice(0, 12));
    });

    it('five wrong codes per session, then the session is spent (even with the right code)', async () => {
      const { secret, session } = await challenged();
      for (let i = 0; i < 5; i++) {
        expect((await api.post('/api/v1/auth/mfa/challenge', { session, code: '000000' })).body).toMatchObject({ error: { code: 'MFA_CODE_INVALID' } });
      }
      const sixth = await api.post('/api/v1/auth/mfa/challenge', { session, code: totp(secret) });
      expect([sixth.status, sixth.body]).toEqual([401, { error: expect.objectContaining({ code: 'MFA_SESSION_INVALID' }) }]);
    });
  });
});
