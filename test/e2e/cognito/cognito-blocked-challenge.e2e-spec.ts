import { AssociateSoftwareTokenCommand, VerifySoftwareTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoAdmin } from '../../../src/auth/providers/cognito/cognito-admin.service';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { signInAudit } from '../../support/sign-in-audit';
import { totp } from '../../support/totp';
import { userFactory } from '../../support/user-factory';

/**
 * A user Gatehouse blocks gets no challenge session from a Cognito sign-in (account-rules: signInRefusal): when Cognito
 * answers the password with a challenge (TOTP, a new password), the refusal is the one a password-only user gets, 403
 * with the block's code and one `login.failed` row, and the answer carries nothing to come back with.
 */
describe('Cognito: a blocked user gets no challenge session (cognito-local)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let n = 0;
  const PASSWORD = 'Correct-horse-1';

  beforeAll(async () => {
    fixture = await startCognitoApp(RELAXED_AUTH_LIMITS);
    ({ cl, t, api } = fixture);
  });
  afterAll(() => fixture?.close());

  const email = () => `blockedch${++n}.${Date.now()}@example.com`;
  const login = (address: string, password: string) => api.post<Record<string, unknown>>('/api/v1/auth/login', { email: address, password });
  const { afterAnswer, eventsOf, ladder, oneRefusal } = signInAudit(() => t, 'cognito');

  const confirmedUser = () => userFactory.cognito.confirmed(api, cl.code, PASSWORD, { email: email(), settle: () => t.app.get(CognitoAuthProvider).whenIdle() });

  /** A user with TOTP enrolled through Gatehouse (approved first: enrolment is the pending_mfa step). */
  async function totpUser(): Promise<{ address: string; secret: string }> {
    const address = await confirmedUser();
    await ladder(address, 'APPROVED');
    const token = (await login(address, PASSWORD)).body.accessToken as string;
    const enrol = await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, token);
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(enrol.body.secret) }, token)).status).toBe(200);
    return { address, secret: enrol.body.secret };
  }

  /**
   * A user awaiting approval (the one state a rejection applies to) who enrolled TOTP at Cognito directly with their
   * own access token: Gatehouse's row knows no factor, Cognito challenges anyway.
   */
  async function unapprovedTotpUser(): Promise<{ address: string; secret: string }> {
    const address = await confirmedUser();
    const AccessToken = (await login(address, PASSWORD)).body.accessToken as string;
    const { SecretCode } = await cl.client.send(new AssociateSoftwareTokenCommand({ AccessToken }));
    await cl.client.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totp(SecretCode!) }));
    return { address, secret: SecretCode! };
  }

  it.each([
    ['DISABLED', 'disabled', 'USER_DISABLED', totpUser],
    ['SUSPENDED', 'suspended', 'USER_SUSPENDED', totpUser],
    ['REJECTED', 'rejected', 'USER_REJECTED', unapprovedTotpUser],
  ] as const)('TOTP enrolled, %s: the password step answers 403 with the block code, no session, one login.failed row (reason %s)', async (event, status, code, make) => {
    const { address } = await make();
    // Not blocked yet: the challenge, as before.
    expect((await login(address, PASSWORD)).body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
    await ladder(address, event);

    const res = await login(address, PASSWORD);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: expect.objectContaining({ code }) });
    expect(JSON.stringify(res.body)).not.toMatch(/session|challenge/i);
    await oneRefusal(res, address, { reason: status, code });
  });

  it('lifting the block gives the challenge back, and the right code signs in', async () => {
    const { address, secret } = await totpUser();
    await ladder(address, 'SUSPENDED');
    expect((await login(address, PASSWORD)).body).toMatchObject({ error: { code: 'USER_SUSPENDED' } });
    await ladder(address, 'REINSTATED');

    const challenged = await login(address, PASSWORD);
    expect(challenged.body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
    const done = await api.post<Record<string, unknown>>('/api/v1/auth/mfa/challenge', { session: challenged.body.session, code: totp(secret, Date.now() + 30_000) });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ accessToken: expect.any(String) });
  });

  it('an admin-created user (NEW_PASSWORD_REQUIRED) disabled before the first sign-in gets 403 USER_DISABLED, not the challenge', async () => {
    const address = email();
    await t.app.get(CognitoAdmin).createUser({ email: address, temporaryPassword: 'Temp-pass-1', emailVerified: true, suppressInvite: true });
    await ladder(address, 'DISABLED');

    const res = await login(address, 'Temp-pass-1');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'USER_DISABLED' }) });
    await afterAnswer();
    expect((await eventsOf(address, 'login.failed')).map((e) => e.reason)).toEqual(['disabled']);
  });
});
