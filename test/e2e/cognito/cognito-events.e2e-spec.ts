import { randomUUID } from 'node:crypto';
import {
  AdminSetUserPasswordCommand,
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminRemoveUserFromGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DataSource } from 'typeorm';
import { AccountAdministration } from '../../../src/auth/admin/account-administration.service';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { UsersService } from '../../../src/users/users.service';
import { TestApp } from '../../support/app';
import { AuthProbeModule } from '../../support/auth-probe';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { setStatus } from '../../support/user-factory';
import { waitFor } from '../../support/wait-for';

const SECRET = 'events-secret-for-the-tests-0123456789abcdef';
const PASSWORD = 'Perm-pass-2';
const HOOK = '/api/v1/hooks/cognito-events';

/**
 * Issue 20.7: changes made in the AWS console reach Gatehouse through EventBridge (a rule on CloudTrail's
 * cognito-idp events) and an API destination that calls this hook with a shared-secret header. The console action is
 * played here by calling cognito-local directly; the hook re-reads the user from Cognito and mirrors that state.
 */
describe('POST /api/v1/hooks/cognito-events (cognito-local)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let api: JsonClient;
  let users: UsersService;

  beforeAll(async () => {
    fixture = await startCognitoApp({ COGNITO_EVENTS_SECRET: SECRET }, { extra: [AuthProbeModule] });
    ({ cl, t, api } = fixture);
    users = t.app.get(UsersService);
  });
  afterAll(() => fixture?.close());

  /** The event EventBridge forwards (the whole event, as an API destination sends it without an input transformer). */
  const event = (eventName: string, requestParameters: Record<string, unknown>, pool = cl.userPoolId) => ({
    version: '0',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cognito-idp',
    detail: { eventSource: 'cognito-idp.amazonaws.com', eventName, requestParameters: { userPoolId: pool, ...requestParameters } },
  });
  const post = (body: unknown, secret: string | null = SECRET) => api.call('POST', HOOK, { body, headers: secret === null ? {} : { 'x-gatehouse-events-secret': secret } });

  async function signedIn(email: string, groups: string[] = []): Promise<{ accessToken: string; userId: string }> {
    const accounts = t.app.get(AccountAdministration);
    const actor = { userId: randomUUID() };
    const { userId } = await accounts.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true, emailVerified: true }, actor);
    // Straight at Cognito (setup, not the action under test): an admin password set through Gatehouse revokes tokens
    // issued before it, and Cognito's iat has whole seconds.
    await cl.client.send(new AdminSetUserPasswordCommand({ UserPoolId: cl.userPoolId, Username: email, Password: PASSWORD, Permanent: true }));
    for (const g of groups) await accounts.addToGroup(userId, g, actor);
    const r = await t.app.get(CognitoAuthProvider).authenticate(email, PASSWORD, { ip: '127.0.0.1' });
    if (r.kind !== 'tokens') throw new Error(r.kind);
    const me = await api.get<{ id: string }>('/api/v1/users/me', r.tokens.accessToken);
    return { accessToken: r.tokens.accessToken, userId: me.body.id };
  }

  it('refuses a missing or wrong secret with 401 and changes nothing', async () => {
    const u = await signedIn('hook-secret@example.com');
    await cl.client.send(new AdminDisableUserCommand({ UserPoolId: cl.userPoolId, Username: 'hook-secret@example.com' }));
    for (const secret of [null, 'wrong', SECRET.slice(0, -1) + 'X']) {
      const res = await post(event('AdminDisableUser', { username: 'hook-secret@example.com' }), secret);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'AUTH_TOKEN_INVALID', requestId: expect.any(String) } });
    }
    expect(await users.findById(u.userId)).toMatchObject({ status: 'pending_approval', tokensValidAfter: null });
  });

  it('a console AdminDisableUser disables the row and revokes live tokens', async () => {
    const u = await signedIn('hook-disable@example.com');
    await new Promise((r) => setTimeout(r, 1100)); // Cognito iat has whole seconds.
    await cl.client.send(new AdminDisableUserCommand({ UserPoolId: cl.userPoolId, Username: 'hook-disable@example.com' }));
    const res = await post(event('AdminDisableUser', { username: 'hook-disable@example.com' }));
    expect(res.status).toBe(202);
    expect(await users.findById(u.userId)).toMatchObject({ status: 'disabled' });
    await waitFor(async () => ((await api.get<{ error?: { code: string } }>('/api/v1/users/me', u.accessToken)).body.error?.code === 'AUTH_TOKEN_REVOKED'), { timeoutMs: 3000 });
  });

  it('never trusts the event body: an AdminDisableUser event for a user Cognito holds enabled changes nothing', async () => {
    const u = await signedIn('hook-lie@example.com');
    expect((await post(event('AdminDisableUser', { username: 'hook-lie@example.com' }))).status).toBe(202);
    expect(await users.findById(u.userId)).toMatchObject({ status: 'pending_approval', tokensValidAfter: null });
  });

  it('a console AdminRemoveUserFromGroup (Admins) revokes the demoted admin’s tokens; AdminDeleteUser deletes the row', async () => {
    const u = await signedIn('hook-groups@example.com', ['Admins']);
    await setStatus(t.app.get(DataSource), u.userId, 'active');
    await waitFor(async () => (await api.get('/api/v1/probe/admin', u.accessToken)).status === 200, { timeoutMs: 3000 });
    await new Promise((r) => setTimeout(r, 1100));
    await cl.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: cl.userPoolId, Username: 'hook-groups@example.com', GroupName: 'Admins' }));
    expect((await post(event('AdminRemoveUserFromGroup', { username: 'hook-groups@example.com', groupName: 'Admins' }))).status).toBe(202);
    await waitFor(async () => ((await api.get<{ error?: { code: string } }>('/api/v1/probe/admin', u.accessToken)).body.error?.code === 'AUTH_TOKEN_REVOKED'), { timeoutMs: 3000 });

    // An AdminAddUserToGroup event for a group the user is not in (re-read: no groups) grants nothing.
    expect((await post(event('AdminAddUserToGroup', { username: 'hook-groups@example.com', groupName: 'Admins' }))).status).toBe(202);
    expect(await users.findById(u.userId)).toMatchObject({ role: 'user' });
    await cl.client.send(new AdminAddUserToGroupCommand({ UserPoolId: cl.userPoolId, Username: 'hook-groups@example.com', GroupName: 'Auditors' }));
    expect((await post(event('AdminAddUserToGroup', { username: 'hook-groups@example.com', groupName: 'Auditors' }))).status).toBe(202);
    expect(await users.findById(u.userId)).toMatchObject({ role: 'auditor' });

    await cl.client.send(new AdminDeleteUserCommand({ UserPoolId: cl.userPoolId, Username: 'hook-groups@example.com' }));
    expect((await post(event('AdminDeleteUser', { username: 'hook-groups@example.com' }))).status).toBe(202);
    expect(await users.findById(u.userId)).toBeNull();
  });

  it('ignores events of another pool or service, and answers 400 for a body that is no event', async () => {
    expect((await post(event('AdminDisableUser', { username: 'x@example.com' }, 'us-east-1_Other'))).body).toMatchObject({ status: 'ignored' });
    expect((await post({ ...event('AdminDisableUser', { username: 'x@example.com' }), source: 'aws.s3' })).body).toMatchObject({ status: 'ignored' });
    const bad = await post({ hello: 'world' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('POST /api/v1/hooks/cognito-events without COGNITO_EVENTS_SECRET', () => {
  let fixture: CognitoApp;
  let t: TestApp;
  beforeAll(async () => {
    fixture = await startCognitoApp();
    ({ t } = fixture);
  });
  afterAll(() => fixture?.close());

  it('is not offered (404), whatever header is sent', async () => {
    const res = await new JsonClient(t.url).call('POST', HOOK, { body: {}, headers: { 'x-gatehouse-events-secret': SECRET } });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
