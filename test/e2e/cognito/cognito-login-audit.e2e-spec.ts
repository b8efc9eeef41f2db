import { AdminGetUserCommand, CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { DataSource } from 'typeorm';
import { DeferredWork } from '../../../src/common/deferred/deferred-work';
import { AWS_CREDENTIALS_ENV, COGNITO_CLIENT, resetCognitoClients } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { UsersService } from '../../../src/users/users.service';
import { startTestApp, TestApp } from '../../support/app';
import { CognitoLocal, startCognitoLocal } from '../../support/cognito-local';
import { errorShape, JsonClient } from '../../support/http';
import { userFactory } from '../../support/user-factory';
import { waitFor } from '../../support/wait-for';

/**
 * A sign-in Cognito refuses leaves a `login.failed` row on the user Gatehouse knows, written after the answer: the
 * client sees exactly what an unknown address sees, and a failed audit write changes nothing it sees.
 */
describe('Cognito sign-in refusals are audited (cognito-local)', () => {
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let n = 0;
  const PASSWORD = 'Correct-horse-1';
  const WRONG = 'Wrong-horse-9';

  beforeAll(async () => {
    cl = await startCognitoLocal();
    t = await startTestApp(
      { ...cl.env, RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '1000' },
      { override: [{ token: AWS_CREDENTIALS_ENV, value: { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } }] },
    );
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    resetCognitoClients();
    await cl?.stop();
  });

  const email = () => `audit${++n}.${Date.now()}@example.com`;
  const login = (address: string, password: string) => api.post<Record<string, unknown>>('/api/v1/auth/login', { email: address, password });
  const afterAnswer = () => t.app.get(DeferredWork).settled();
  const confirmedUser = () => userFactory.cognito.confirmed(api, cl.code, PASSWORD, { email: email(), settle: () => t.app.get(CognitoAuthProvider).whenIdle() });
  const userOf = async (address: string) => (await t.app.get(UsersService).findByEmail(address, 'cognito'))!;
  const failures = async (address: string) =>
    (await t.app.get(UsersService).eventsFor((await userOf(address)).id)).filter((e) => e.type === 'login.failed');
  const failedRowsOf = async (requestId: unknown): Promise<number> =>
    Number(((await db.query(`SELECT count(*)::int AS n FROM auth.user_events WHERE type = 'login.failed' AND request_id = $1`, [requestId])) as Array<{ n: number }>)[0]!.n);
  const requestIdOf = (body: unknown) => (body as { error: { requestId: string } }).error.requestId;

  it('a wrong password answers like an unknown address and records login.failed (reason password, no credential)', async () => {
    const address = await confirmedUser();
    const wrong = await login(address, WRONG);
    const unknown = await login(`nobody.${Date.now()}@example.com`, WRONG);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(errorShape(wrong.body)).toEqual(errorShape(unknown.body));
    await afterAnswer();

    const rows = await failures(address);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'provider:cognito', reason: 'password', result: 'refused', resultCode: 'AUTH_FAILED', requestId: requestIdOf(wrong.body) });
    expect(JSON.stringify(rows[0]!.detail)).not.toContain(WRONG);
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
    const users = t.app.get(UsersService);
    let fail!: (err: Error) => void;
    const spy = jest.spyOn(users, 'recordEvent').mockImplementationOnce(() => new Promise<void>((_resolve, reject) => (fail = reject)));
    try {
      const res = await login(address, WRONG);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
      // The row is still being written (held open here) after the client has its answer; then the write fails.
      await waitFor(() => spy.mock.calls.length > 0, { timeoutMs: 5000, what: 'the audit write after the answer' });
      expect(spy).toHaveBeenCalledWith(expect.objectContaining({ type: 'login.failed' }));
      fail(new Error('audit write failed'));
      await afterAnswer();
    } finally {
      spy.mockRestore();
    }
    expect((await login(address, PASSWORD)).status).toBe(200);
  });
});
