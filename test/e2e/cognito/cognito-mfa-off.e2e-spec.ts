import { configCheck } from '../../../src/cli';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { testConfig, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { COGNITO_LOCAL_KEYS, CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { LogCapture } from '../../support/log-capture';

const PASSWORD = 'Correct-horse-1';

/**
 * Issue #11: a pool whose MFA mode is OFF never challenges at sign-in, whatever factor a user "enrols" (tried against
 * cognito-local: AssociateSoftwareToken and VerifySoftwareToken still answer). Gatehouse must not pretend: start-up and
 * config:check warn, and /auth/mfa/enroll and /auth/mfa/verify refuse with 409 MFA_UNAVAILABLE, changing nothing.
 */
describe('cognito pool with MFA OFF (cognito-local)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  const logs = new LogCapture();

  beforeAll(async () => {
    fixture = await startCognitoApp({ LOG_LEVEL: 'warn', RATE_LIMIT_AUTH_PER_MINUTE: '100000' }, { pool: { mfaConfiguration: 'OFF' }, logDestination: logs.stream });
    ({ cl, t, api } = fixture);
  });
  afterAll(() => fixture?.close());

  async function signedIn(): Promise<{ token: string }> {
    const email = `mfa-off.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
    expect((await api.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(202);
    await t.app.get(CognitoAuthProvider).whenIdle();
    expect((await api.post('/api/v1/auth/confirm-email', { email, code: cl.code })).status).toBe(200);
    const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    return { token: login.body.accessToken };
  }

  it('warns at start-up that the pool never challenges for a second factor', () => {
    expect(logs.lines.some((l) => /MFA.*OFF/.test(String(l.msg)))).toBe(true);
  });

  it('config:check prints a WARN line for the MFA mode', async () => {
    const line = (await configCheck(testConfig(cl.env), COGNITO_LOCAL_KEYS)).find((r) => r.name === 'cognito mfa');
    expect(line).toMatchObject({ ok: true, warn: true });
    expect(line?.info).toMatch(/MFA is OFF/);
  });

  it('refuses enrolment and verification with 409 MFA_UNAVAILABLE instead of pretending, and records nothing', async () => {
    const { token } = await signedIn();
    const enroll = await api.post<{ error: { code: string } }>('/api/v1/auth/mfa/enroll', {}, token);
    expect(enroll.status).toBe(409);
    expect(enroll.body.error.code).toBe('MFA_UNAVAILABLE');
    const verify = await api.post<{ error: { code: string } }>('/api/v1/auth/mfa/verify', { code: '123456' }, token);
    expect(verify.status).toBe(409);
    expect(verify.body.error.code).toBe('MFA_UNAVAILABLE');
    const me = await api.get<{ mfaEnabled: boolean }>('/api/v1/users/me', token);
    expect(me.body.mfaEnabled).toBe(false);
  });
});
