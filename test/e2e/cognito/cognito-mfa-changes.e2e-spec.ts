import { randomUUID } from 'node:crypto';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DataSource } from 'typeorm';
import type { UserStatus } from '../../../src/common/user-status';
import { COGNITO_CLIENT } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { JwksIssuer } from '../../support/jwks-issuer';
import { userFactory } from '../../support/user-factory';

const CLIENT = 'client-mfa-changes';

/**
 * Issue #9 item 2 on the Cognito path. Gatehouse cannot check a TOTP code against Cognito outside sign-in, so the
 * shared rule (AuthService) asks for a recent sign-in instead: the access token's `auth_time` within 5 minutes, for
 * DELETE /mfa and for enrolling while a factor is enabled; and removal is refused past onboarding's MFA step. The
 * tokens come from a local JWKS issuer standing in for the pool (cognito-local cannot back-date `auth_time`); every
 * refusal here happens before any call to Cognito.
 */
describe('cognito provider: changing the second factor needs a recent sign-in', () => {
  const issuer = new JwksIssuer('mfa_changes');
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;

  beforeAll(async () => {
    await issuer.start();
    t = await startTestApp({ AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
    // The stand-in pool is a JWKS issuer with no Cognito API: the first sight of each session asks AdminGetUser for
    // the enrolled factor (#20.4), answered here as "TOTP on" (the factor these users enrolled) for that one command.
    const client = t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT);
    const send = client.send.bind(client) as (cmd: unknown) => Promise<unknown>;
    jest.spyOn(client, 'send').mockImplementation(((cmd: { input: { Username?: string } }) =>
      cmd instanceof AdminGetUserCommand
        ? Promise.resolve({ Username: cmd.input.Username, UserAttributes: [{ Name: 'sub', Value: cmd.input.Username }], UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] })
        : send(cmd)) as never);
  });
  afterAll(async () => {
    await t?.close();
    await issuer.stop();
  });

  async function user(status: UserStatus, mfa: boolean): Promise<string> {
    const sub = randomUUID();
    const id = await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status });
    if (mfa) await db.query(`UPDATE auth.users SET mfa_method = 'totp', mfa_enrolled_at = now() WHERE id = $1`, [id]);
    return sub;
  }
  const tokenFor = (sub: string, signedInSecondsAgo: number) => {
    const claims = issuer.accessClaims(sub, CLIENT);
    return issuer.sign({ ...claims, auth_time: (claims.iat as number) - signedInSecondsAgo });
  };
  const del = (token: string) => api.call('DELETE', '/api/v1/auth/mfa', { token, body: {} });
  const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;

  it('a token whose sign-in is older than 5 minutes (a stolen, refreshed one) cannot remove or replace the factor', async () => {
    const sub = await user('pending_approval', true);
    const stale = tokenFor(sub, 10 * 60);
    const removal = await del(stale);
    expect(removal.status).toBe(403);
    expect(codeOf(removal.body)).toBe('REAUTHENTICATION_REQUIRED');
    const replacement = await api.post('/api/v1/auth/mfa/enroll', {}, stale);
    expect(replacement.status).toBe(403);
    expect(codeOf(replacement.body)).toBe('REAUTHENTICATION_REQUIRED');
    expect(codeOf((await del(issuer.sign({ ...issuer.accessClaims(sub, CLIENT), auth_time: undefined }))).body)).toBe('REAUTHENTICATION_REQUIRED');
  });

  it('a fresh sign-in passes the rule (the call then goes to Cognito)', async () => {
    const sub = await user('pending_approval', true);
    expect(codeOf((await del(tokenFor(sub, 30))).body)).not.toMatch(/REAUTHENTICATION_REQUIRED|MFA_REQUIRED_BY_ONBOARDING/);
  });

  it('past the onboarding MFA step removal is refused with 409 MFA_REQUIRED_BY_ONBOARDING, however fresh the sign-in', async () => {
    const sub = await user('active', true);
    const refused = await del(tokenFor(sub, 0));
    expect(refused.status).toBe(409);
    expect(codeOf(refused.body)).toBe('MFA_REQUIRED_BY_ONBOARDING');
  });
});
