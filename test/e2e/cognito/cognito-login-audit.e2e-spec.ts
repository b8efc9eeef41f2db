import { AdminGetUserCommand, CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { COGNITO_CLIENT } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { OnboardingService } from '../../../src/users/onboarding/onboarding.service';
import { UsersService } from '../../../src/users/users.service';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { errorShape, JsonClient } from '../../support/http';
import { BLOCKS, requestIdOf, signInAudit } from '../../support/sign-in-audit';
import { totp } from '../../support/totp';
import { userFactory } from '../../support/user-factory';
import { holdNextAuditWrite } from '../../support/held-audit-write';

/**
 * A sign-in Cognito refuses leaves a `login.failed` row on the user Gatehouse knows, written after the answer: the
 * client sees exactly what an unknown address sees, and a failed audit write changes nothing it sees. The same holds
 * for a wrong MFA code (`login.mfa_failed`) and for a password Cognito accepted of a user Gatehouse blocks.
 */
describe('Cognito sign-in refusals are audited (cognito-local)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let n = 0;
  const PASSWORD = 'Correct-horse-1';
  const WRONG = 'Wrong-horse-9';

  beforeAll(async () => {
    fixture = await startCognitoApp(RELAXED_AUTH_LIMITS);
    ({ cl, t, api } = fixture);
  });
  afterAll(() => fixture?.close());

  const email = () => `audit${++n}.${Date.now()}@example.com`;
  const login = (address: string, password: string) => api.post<Record<string, unknown>>('/api/v1/auth/login', { email: address, password });
  const { afterAnswer, userOf, failures, failedRowsOf, eventsOf, ladder: block, oneRefusal } = signInAudit(() => t, 'cognito');
  const confirmedUser = () => userFactory.cognito.confirmed(api, cl.code, PASSWORD, { email: email(), settle: () => t.app.get(CognitoAuthProvider).whenIdle() });
  const answer = (session: string, code: string) => api.post<Record<string, unknown>>('/api/v1/auth/mfa/challenge', { session, code });

  /** A user with TOTP enrolled at cognito-local (approved first: enrolment is the pending_mfa step). */
  async function totpUser(): Promise<{ address: string; secret: string }> {
    const address = await confirmedUser();
    await t.app.get(OnboardingService).apply((await userOf(address)).id, 'APPROVED', 'admin:test');
    const token = (await login(address, PASSWORD)).body.accessToken as string;
    const enrol = await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, token);
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(enrol.body.secret) }, token)).status).toBe(200);
    return { address, secret: enrol.body.secret };
  }
  async function challenged(address: string): Promise<string> {
    const res = await login(address, PASSWORD);
    expect(res.body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
    return res.body.session as string;
  }

  it('a wrong password answers like an unknown address and records login.failed (reason password, no credential)', async () => {
    const address = await confirmedUser();
    const wrong = await login(address, WRONG);
    const unknown = await login(`nobody.${Date.now()}@example.com`, WRONG);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(errorShape(wrong.body)).toEqual(errorShape(unknown.body));
    const row = await oneRefusal(wrong, address, { reason: 'password', code: 'AUTH_FAILED' });
    expect(JSON.stringify(row.detail)).not.toContain(WRONG);
    // The unknown address is nobody's: no row carries its request.
    expect(await failedRowsOf(requestIdOf(unknown.body))).toBe(0);
  });

  it('an address whose owner has not confirmed it records reason email_not_verified, still answering AUTH_FAILED', async () => {
    const address = email();
    expect((await api.post('/api/v1/auth/register', { email: address, password: PASSWORD })).status).toBe(202);
    await t.app.get(CognitoAuthProvider).whenIdle();
    const res = await login(address, PASSWORD);
    expect(res.body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    await afterAnswer();
    expect((await failures(address)).map((e) => e.detail)).toEqual([expect.objectContaining({ reason: 'email_not_verified' })]);
  });

  it('disabled and locked users, as real Cognito reports them (NotAuthorizedException), record disabled / locked', async () => {
    // cognito-local lets a disabled user in (cognito-local.facts): the app's client answers as real Cognito does.
    const address = await confirmedUser();
    const user = await userOf(address);
    const mock = mockClient(t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT));
    try {
      mock.on(AdminGetUserCommand).resolves({ Username: user.subject, UserAttributes: [{ Name: 'sub', Value: user.subject }] });
      for (const message of ['User is disabled.', 'Password attempts exceeded']) {
        mock.on(InitiateAuthCommand).rejects(Object.assign(new Error(message), { name: 'NotAuthorizedException', $metadata: {} }));
        expect((await login(address, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
      }
      await afterAnswer();
    } finally {
      mock.restore();
    }
    expect((await failures(address)).map((e) => (e.detail as { reason: string }).reason).sort()).toEqual(['disabled', 'locked']);
  });

  it('the answer does not wait for the audit row, and a failed write leaves the refusal a 401', async () => {
    const address = await confirmedUser();
    const held = holdNextAuditWrite(t.app.get(UsersService));
    try {
      const res = await login(address, WRONG);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
      // The row is still being written (held open here) after the client has its answer; then the write fails.
      await held.failAfterStart('login.failed');
      await afterAnswer();
    } finally {
      held.restore();
    }
    expect((await login(address, PASSWORD)).status).toBe(200);
  });

  describe('a wrong MFA code (login.mfa_failed)', () => {
    it('records login.mfa_failed on the challenged user, without the code or the session, and answers MFA_CODE_INVALID as before', async () => {
      const { address, secret } = await totpUser();
      const session = await challenged(address);
      const wrong = await answer(session, '000000');
      expect(wrong.status).toBe(400);
      expect(wrong.body).toMatchObject({ error: { code: 'MFA_CODE_INVALID' } });
      await afterAnswer();

      const rows = await eventsOf(address, 'login.mfa_failed');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'provider:cognito', result: 'refused', resultCode: 'MFA_CODE_INVALID', requestId: requestIdOf(wrong.body) });
      expect(rows[0]!.detail).toEqual({ method: 'totp' });
      expect(JSON.stringify(rows[0])).not.toContain('000000');
      expect(JSON.stringify(rows[0])).not.toContain(session);

      // The right code writes no failure.
      const right = await answer(await challenged(address), totp(secret, Date.now() + 30_000));
      expect(right.status).toBe(200);
      await afterAnswer();
      expect(await eventsOf(address, 'login.mfa_failed')).toHaveLength(1);
    });

    it('the answer does not wait for the row, and a failed write leaves the refusal MFA_CODE_INVALID', async () => {
      const { address } = await totpUser();
      const session = await challenged(address);
      const held = holdNextAuditWrite(t.app.get(UsersService));
      try {
        const res = await answer(session, '000000');
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ error: { code: 'MFA_CODE_INVALID' } });
        await held.failAfterStart('login.mfa_failed');
        await afterAnswer();
      } finally {
        held.restore();
      }
    });
  });

  describe('a password Cognito accepts of a user Gatehouse blocks (login.failed, reason the status)', () => {
    it.each(BLOCKS)('%s: 403 with the block code, one login.failed row with reason %s', async (event, status, code) => {
      // cognito-local lets the user in whatever Gatehouse says (it never checks Enabled): Gatehouse refuses.
      const address = await confirmedUser();
      await block(address, event);
      const res = await login(address, PASSWORD);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code } });
      await oneRefusal(res, address, { reason: status, code });
    });

    it('blocked between the password and the TOTP answer: the right code gets 403 and one login.failed row', async () => {
      const { address, secret } = await totpUser();
      const session = await challenged(address);
      await block(address, 'DISABLED');
      const res = await answer(session, totp(secret, Date.now() + 30_000));
      expect(res.body).toMatchObject({ error: { code: 'USER_DISABLED' } });
      await afterAnswer();
      expect(await failedRowsOf(requestIdOf(res.body))).toBe(1);
      expect((await failures(address)).map((e) => e.reason)).toEqual(['disabled']);
      expect(await eventsOf(address, 'login.mfa_failed')).toHaveLength(0);
    });

    it('disabled at Cognito too (real Cognito refuses first): one row for the request, not two', async () => {
      const address = await confirmedUser();
      const user = await block(address, 'DISABLED');
      const mock = mockClient(t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT));
      try {
        mock.on(AdminGetUserCommand).resolves({ Username: user.subject, UserAttributes: [{ Name: 'sub', Value: user.subject }] });
        mock.on(InitiateAuthCommand).rejects(Object.assign(new Error('User is disabled.'), { name: 'NotAuthorizedException', $metadata: {} }));
        const res = await login(address, PASSWORD);
        expect(res.body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
        await afterAnswer();
        expect(await failedRowsOf(requestIdOf(res.body))).toBe(1);
      } finally {
        mock.restore();
      }
      expect((await failures(address)).map((e) => e.reason)).toEqual(['disabled']);
    });

    it('the 403 does not wait for the row, and a failed write leaves it a 403', async () => {
      const address = await confirmedUser();
      await block(address, 'SUSPENDED');
      const held = holdNextAuditWrite(t.app.get(UsersService));
      try {
        const res = await login(address, PASSWORD);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ error: { code: 'USER_SUSPENDED' } });
        await held.failAfterStart('login.failed');
        await afterAnswer();
      } finally {
        held.restore();
      }
    });
  });
});
