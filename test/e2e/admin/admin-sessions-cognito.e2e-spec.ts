import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { mockClient } from 'aws-sdk-client-mock';
import { DataSource } from 'typeorm';
import { COGNITO_CLIENT } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { announced, setStatus } from '../../support/user-factory';

const PASSWORD = 'Correct-horse-1';
type Err = { error?: { code: string } };

/**
 * Issue #15, Sessions, with AUTH_PROVIDER=cognito against cognito-local: Cognito lists no sessions (the answer says
 * so, never an empty list that looks complete), one session cannot be ended alone (501), and revoke-all is
 * AdminUserGlobalSignOut plus the watermark. cognito-local lacks AdminUserGlobalSignOut: that ONE command is mocked
 * (aws-sdk-client-mock, every other command passes through to cognito-local).
 */
describe('sessions with Cognito (issue #15)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let n = 0;

  beforeAll(async () => {
    fixture = await startCognitoApp(RELAXED_AUTH_LIMITS);
    ({ cl, t, api } = fixture);
  });
  afterAll(() => fixture?.close());

  /** A Cognito user (in `group`), signed in through Gatehouse and made active: its id, username and access token. */
  async function signedIn(group?: string): Promise<{ id: string; username: string; token: string }> {
    const email = `cses${++n}.${Date.now()}@example.com`;
    await cl.client.send(new AdminCreateUserCommand({ UserPoolId: cl.userPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
    await cl.client.send(new AdminSetUserPasswordCommand({ UserPoolId: cl.userPoolId, Username: email, Password: PASSWORD, Permanent: true }));
    if (group) await cl.client.send(new AdminAddUserToGroupCommand({ UserPoolId: cl.userPoolId, Username: email, GroupName: group }));
    const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    const db = t.app.get(DataSource);
    const [row] = (await db.query('SELECT id, subject FROM auth.users WHERE email = $1', [email])) as Array<{ id: string; subject: string }>;
    await announced(t.app.get(EventEmitter2), async () => {
      await setStatus(db, row!.id, 'active');
      return row!.id;
    });
    return { id: row!.id, username: row!.subject, token: login.body.accessToken };
  }

  it('the list says Cognito cannot list sessions; ending one alone is 501 NOT_SUPPORTED; revoke-all signs out at Cognito and refuses the live access token', async () => {
    const admin = await signedIn('Admins');
    const user = await signedIn();

    const listed = await api.get<{ provider: string; listed: boolean; sessions: unknown[]; note: string }>(`/api/v1/admin/users/${user.id}/sessions`, admin.token);
    expect(listed.body).toMatchObject({ provider: 'cognito', listed: false, sessions: [], note: expect.stringContaining('AdminUserGlobalSignOut') });
    expect((await api.get<{ listed: boolean }>('/api/v1/auth/sessions', user.token)).body).toMatchObject({ listed: false });
    const one = await api.call<Err>('DELETE', `/api/v1/admin/users/${user.id}/sessions/00000000-0000-4000-8000-000000000001`, { token: admin.token });
    expect([one.status, one.body.error?.code]).toEqual([501, 'NOT_SUPPORTED']);

    const mock = mockClient(t.app.get<CognitoIdentityProviderClient>(COGNITO_CLIENT));
    try {
      mock.send.callThrough();
      mock.on(AdminUserGlobalSignOutCommand).resolves({});
      expect((await api.get('/api/v1/users/me', user.token)).status).toBe(200);
      const res = await api.post(`/api/v1/admin/users/${user.id}/sessions/revoke-all`, {}, admin.token);
      expect([res.status, res.body]).toEqual([200, { revoked: true }]);
      expect(mock.commandCalls(AdminUserGlobalSignOutCommand).map((c) => c.args[0].input)).toEqual([{ UserPoolId: cl.userPoolId, Username: user.username }]);
    } finally {
      mock.restore();
    }
    expect((await api.get<Err>('/api/v1/users/me', user.token)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    expect((await api.get('/api/v1/users/me', admin.token)).status).toBe(200);
  });
});
