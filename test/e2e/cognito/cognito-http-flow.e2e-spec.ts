import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { DataSource } from 'typeorm';
import { COGNITO_CLIENT } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { AUTH_PROVIDER, AuthProvider } from '../../../src/auth/providers/auth-provider';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { OnboardingService } from '../../../src/users/onboarding/onboarding.service';
import { UsersService } from '../../../src/users/users.service';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { startSmtpCapture, type SmtpCapture } from '../../support/smtp-capture';
import { CognitoLocal } from '../../support/cognito-local';
import { errorShape, JsonClient } from '../../support/http';
import { totp } from '../../support/totp';
import { userFactory } from '../../support/user-factory';

/**
 * AUTH_PROVIDER=cognito through Gatehouse's HTTP API against cognito-local: the same endpoints and the same answers
 * as the local provider. Tokens are verified by the real TokenVerifier against cognito-local's JWKS.
 *
 * cognito-local lacks GlobalSignOut: sign-out here shows that Gatehouse's own revocation holds even when Cognito
 * cannot be reached. It also lacks ResendConfirmationCode. For those two operations the app's own SDK client is
 * mocked with aws-sdk-client-mock for the duration of one step (`withMocked`), so the HTTP answer for a Cognito
 * that does have them is checked too; every other step talks to cognito-local.
 */
describe('AUTH_PROVIDER=cognito through /api/v1/auth (cognito-local)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let smtp: SmtpCapture;
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

  const email = () => `cog${++n}.${Date.now()}@example.com`;
  const userRow = async (address: string) =>
    ((await db.query(`SELECT id, status, email_verified, mfa_method, password_reset_at, auth_provider FROM auth.users WHERE email = $1`, [address])) as Array<Record<string, unknown>>)[0];
  /** Registration answers before its Cognito work is done (#20.6): wait for that work where a step depends on it. */
  const settled = () => t.app.get(CognitoAuthProvider).whenIdle();
  const login = (address: string, password = PASSWORD) => api.post<Record<string, string>>('/api/v1/auth/login', { email: address, password });
  const confirmedUser = () => userFactory.cognito.confirmed(api, cl.code, PASSWORD, { email: email(), settle: settled });
  const awsError = (name: string) => Object.assign(new Error(`${name} text from AWS`), { name, $metadata: {} });

  /**
   * Mocks the app's SDK client (not the class: the harness's own client keeps talking to cognito-local) while `step`
   * runs. Nothing else may reach Cognito meanwhile: unmocked commands would answer undefined.
   */
  async function withMocked<T>(arrange: (mock: ReturnType<typeof mockClient>) => void, step: (mock: ReturnType<typeof mockClient>) => Promise<T>): Promise<T> {
    const mock = mockClient(t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT));
    try {
      arrange(mock);
      return await step(mock);
    } finally {
      mock.restore();
    }
  }

  it('binds the Cognito provider', () => {
    expect(t.app.get<AuthProvider>(AUTH_PROVIDER).name).toBe('cognito');
  });

  it('register → confirm → login → /users/me → TOTP → challenge → refresh → reset → old tokens rejected → groups become roles', async () => {
    const address = email();
    expect((await api.post('/api/v1/auth/register', { email: address, password: PASSWORD, fullName: 'Grace Hopper' })).status).toBe(202);
    await settled();
    expect(await userRow(address)).toMatchObject({ status: 'pending_verification', auth_provider: 'cognito' });
    expect((await login(address)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });

    expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: '000000' })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
    expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: cl.code })).body).toEqual({ status: 'verified' });
    const user = await userRow(address);
    expect(user).toMatchObject({ status: 'pending_approval', email_verified: true });

    const first = await login(address);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
    const me = await api.get('/api/v1/users/me', first.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user!.id, status: 'pending_approval', provider: 'cognito' });

    // Refresh before MFA: cognito-local does not record refresh tokens it hands out from RespondToAuthChallenge
    // (real Cognito does), so a post-challenge refresh token would be refused by the emulator, not by Gatehouse.
    const refreshed = await api.post<Record<string, string>>('/api/v1/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
    expect((await api.get('/api/v1/users/me', refreshed.body.accessToken)).status).toBe(200);
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: 'not-a-refresh-token' })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });

    await t.app.get(OnboardingService).apply(user!.id as string, 'APPROVED', 'admin:test');
    const enrol = await api.post<{ secret: string; otpauthUrl: string }>('/api/v1/auth/mfa/enroll', {}, first.body.accessToken);
    expect(enrol.status).toBe(200);
    expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const verified = await api.post('/api/v1/auth/mfa/verify', { code: totp(enrol.body.secret) }, first.body.accessToken);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ enabled: true });
    expect(await userRow(address)).toMatchObject({ status: 'pending_subscription', mfa_method: 'totp' });

    const second = await login(address);
    expect(second.body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
    const wrong = await api.post('/api/v1/auth/mfa/challenge', { session: second.body.session, code: '000000' });
    expect(wrong.body).toMatchObject({ error: { code: 'MFA_CODE_INVALID' } });
    const third = await login(address);
    const answered = await api.post<Record<string, string>>('/api/v1/auth/mfa/challenge', { session: third.body.session, code: totp(enrol.body.secret, Date.now() + 30_000) });
    expect(answered.status).toBe(200);
    expect(answered.body.accessToken).toEqual(expect.any(String));


    // Reset: Cognito's access tokens keep verifying offline; Gatehouse's watermark is what rejects them.
    expect((await api.post('/api/v1/auth/password/forgot', { email: address })).status).toBe(202);
    expect((await api.post('/api/v1/auth/password/reset', { email: address, code: '000000', newPassword: 'Another-horse-2' })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
    expect((await api.post('/api/v1/auth/password/reset', { email: address, code: cl.code, newPassword: 'Another-horse-2' })).status).toBe(200);
    for (const token of [first.body.accessToken, answered.body.accessToken, refreshed.body.accessToken]) {
      const res = await api.get('/api/v1/users/me', token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    }
    expect((await userRow(address))!.password_reset_at).toBeInstanceOf(Date);

    // Cognito's iat has whole seconds: a token issued in the very second of the reset is indistinguishable from one
    // issued just before it, and Gatehouse refuses it (fails closed). Sign in again from the next second on.
    await new Promise((r) => setTimeout(r, 1_050 - (Date.now() % 1_000)));

    // Groups → roles: Admins maps to admin through ROLE_GROUP_MAP.
    await cl.client.send(new AdminAddUserToGroupCommand({ UserPoolId: cl.userPoolId, Username: address, GroupName: 'Admins' }));
    const again = await login(address, 'Another-horse-2');
    const afterReset = await api.post<Record<string, string>>('/api/v1/auth/mfa/challenge', { session: again.body.session, code: totp(enrol.body.secret) });
    expect(afterReset.status).toBe(200);
    const admin = await api.get('/api/v1/users/me', afterReset.body.accessToken);
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ role: 'admin' });
  });

  it('enumeration: register and forgot answer the same for known and unknown addresses; login failures look alike', async () => {
    const known = email();
    await api.post('/api/v1/auth/register', { email: known, password: PASSWORD });
    await settled();
    await api.post('/api/v1/auth/confirm-email', { email: known, code: cl.code });
    const newOne = await api.post('/api/v1/auth/register', { email: email(), password: PASSWORD });
    await settled();
    const again = await api.post('/api/v1/auth/register', { email: known, password: PASSWORD });
    await settled();
    expect([again.status, again.body]).toEqual([newOne.status, newOne.body]);
    const forgotKnown = await api.post('/api/v1/auth/password/forgot', { email: known });
    const forgotUnknown = await api.post('/api/v1/auth/password/forgot', { email: email() });
    expect(forgotUnknown.status).toBe(202);
    expect([forgotKnown.status, forgotKnown.body]).toEqual([forgotUnknown.status, forgotUnknown.body]);
    const unknown = await login(email());
    const wrong = await login(known, 'Wrong-password-9');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(errorShape(wrong.body)).toEqual(errorShape(unknown.body));
  });

  it('sign-out: Gatehouse revokes the tokens even though cognito-local cannot GlobalSignOut (503 tells the client to retry)', async () => {
    const address = email();
    await api.post('/api/v1/auth/register', { email: address, password: PASSWORD });
    await settled();
    await api.post('/api/v1/auth/confirm-email', { email: address, code: cl.code });
    const { body } = await login(address);
    const out = await api.post('/api/v1/auth/sign-out', {}, body.accessToken);
    expect(out.status).toBe(503);
    expect(out.body).toMatchObject({ error: { code: 'PROVIDER_UNAVAILABLE' } });
    expect((await api.get('/api/v1/users/me', body.accessToken)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
  });

  it('local-only endpoints answer NOT_SUPPORTED, and no local keys are served', async () => {
    const address = email();
    await api.post('/api/v1/auth/register', { email: address, password: PASSWORD });
    await settled();
    await api.post('/api/v1/auth/confirm-email', { email: address, code: cl.code });
    const { body } = await login(address);
    expect((await api.post('/api/v1/auth/mfa/recovery-codes', { code: '123456' }, body.accessToken)).body).toMatchObject({ error: { code: 'NOT_SUPPORTED' } });
    expect((await api.get('/api/v1/auth/confirm-email?token=abcdefghijklmnopqrstuvwxyz')).body).toMatchObject({ error: { code: 'NOT_SUPPORTED' } });
    expect((await api.get('/.well-known/jwks.json')).status).toBe(404);
  });

  it('resend-verification answers 202 alike for a waiting and an unknown address (mocked: cognito-local lacks ResendConfirmationCode)', async () => {
    const waiting = email();
    const unknown = email();
    await api.post('/api/v1/auth/register', { email: waiting, password: PASSWORD });
    await settled();
    const [forWaiting, forUnknown] = await withMocked(
      (mock) => {
        mock.on(ResendConfirmationCodeCommand, { Username: waiting }).resolves({ CodeDeliveryDetails: { DeliveryMedium: 'EMAIL' } });
        mock.on(ResendConfirmationCodeCommand, { Username: unknown }).rejects(awsError('UserNotFoundException'));
      },
      async (mock) => {
        const answers = [await api.post('/api/v1/auth/resend-verification', { email: waiting }), await api.post('/api/v1/auth/resend-verification', { email: unknown })];
        // Both answers came from the provider, not from the mail budget's early return.
        expect(mock.commandCalls(ResendConfirmationCodeCommand).map((c) => c.args[0].input.Username)).toEqual([waiting, unknown]);
        return answers;
      },
    );
    expect(forWaiting.status).toBe(202);
    expect([forUnknown.status, forUnknown.body]).toEqual([forWaiting.status, forWaiting.body]);
  });

  it('sign-out with a Cognito that has GlobalSignOut (mocked): 204, the call carries the bearer token, the token is revoked', async () => {
    const { body } = await login(await confirmedUser());
    const out = await withMocked(
      (mock) => mock.on(GlobalSignOutCommand).resolves({}),
      async (mock) => {
        const res = await api.post('/api/v1/auth/sign-out', {}, body.accessToken);
        expect(mock.commandCalls(GlobalSignOutCommand).map((c) => c.args[0].input)).toEqual([{ AccessToken: body.accessToken }]);
        return res;
      },
    );
    expect(out.status).toBe(204);
    const me = await api.get('/api/v1/users/me', body.accessToken);
    expect([me.status, me.body]).toEqual([401, { error: expect.objectContaining({ code: 'AUTH_TOKEN_REVOKED' }) }]);
  });

  it('DELETE /mfa: 409 MFA_REQUIRED_BY_ADMIN while mfa_required, else 204, the user is mailed, every session ends, and the next login has no challenge', async () => {
    const address = await confirmedUser();
    const { body } = await login(address);
    const enrol = await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, body.accessToken);
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(enrol.body.secret) }, body.accessToken)).status).toBe(200);
    expect((await api.get('/api/v1/users/me', body.accessToken)).body).toMatchObject({ mfaEnabled: true });
    // A first enrolment is mailed and ends nothing: the caller's token still works.
    expect((await smtp.waitFor(address, (m) => /two-factor authentication was turned on/i.test(m.text))).subject).not.toMatch(/\d{6}/);

    const users = t.app.get(UsersService);
    const id = (await userRow(address))!.id as string;
    await users.updateProfile(id, { mfaRequired: true });
    const refused = await api.call('DELETE', '/api/v1/auth/mfa', { token: body.accessToken });
    expect([refused.status, refused.body]).toEqual([409, { error: expect.objectContaining({ code: 'MFA_REQUIRED_BY_ADMIN' }) }]);
    expect((await login(address)).body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });

    await users.updateProfile(id, { mfaRequired: false });
    expect((await api.call('DELETE', '/api/v1/auth/mfa', { token: body.accessToken })).status).toBe(204);
    expect(await userRow(address)).toMatchObject({ mfa_method: null });
    // Removal is mailed and ends every session (Cognito cannot end only the others): the caller's token too.
    await smtp.waitFor(address, (m) => /turned off/i.test(m.text));
    expect((await api.get('/api/v1/users/me', body.accessToken)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    const plain = await login(address);
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
  });

  it('an admin-created user (FORCE_CHANGE_PASSWORD) answers NEW_PASSWORD_REQUIRED at /mfa/challenge with the new password as code', async () => {
    const address = email();
    await cl.client.send(
      new AdminCreateUserCommand({ UserPoolId: cl.userPoolId, Username: address, TemporaryPassword: 'Temp-pass-1', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: address }, { Name: 'email_verified', Value: 'true' }] }),
    );
    const challenged = await login(address, 'Temp-pass-1');
    expect(challenged.status).toBe(200);
    expect(challenged.body).toEqual({ challenge: 'NEW_PASSWORD_REQUIRED', session: expect.any(String) });
    const done = await api.post<Record<string, string>>('/api/v1/auth/mfa/challenge', { session: challenged.body.session, code: 'Chosen-pass-3' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
    // Gatehouse never signed this user up: the row comes from the ID token at sign-in, with the address and the
    // verified flag (an access token alone carries no email and would leave the user stuck unverified).
    expect((await api.get('/api/v1/users/me', done.body.accessToken)).body).toMatchObject({ provider: 'cognito', email: address, emailVerified: true, status: 'pending_approval' });
    expect((await login(address, 'Chosen-pass-3')).body).toMatchObject({ accessToken: expect.any(String) });
  });

  it("a token of another app client of the same pool is refused: 401 AUTH_TOKEN_INVALID (client_id is not COGNITO_CLIENT_ID)", async () => {
    const address = await confirmedUser();
    const other = await cl.client.send(
      new CreateUserPoolClientCommand({ UserPoolId: cl.userPoolId, ClientName: 'not-gatehouse', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
    );
    const tokens = await cl.client.send(
      new InitiateAuthCommand({ ClientId: other.UserPoolClient!.ClientId!, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: address, PASSWORD } }),
    );
    const me = await api.get('/api/v1/users/me', tokens.AuthenticationResult!.AccessToken!);
    expect([me.status, me.body]).toEqual([401, { error: expect.objectContaining({ code: 'AUTH_TOKEN_INVALID' }) }]);
  });
});
