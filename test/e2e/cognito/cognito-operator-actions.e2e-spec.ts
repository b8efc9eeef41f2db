import {
  AdminSetUserPasswordCommand,
  AdminResetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CognitoAdmin } from '../../../src/auth/providers/cognito/cognito-admin.service';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { AccountLadder } from '../../../src/auth/account-ladder';
import { LoginLockoutReader } from '../../../src/auth/throttling/login-lockout.reader';
import { AccountAdministration } from '../../../src/auth/admin/account-administration.service';
import { CognitoIdentities } from '../../../src/auth/providers/cognito/cognito-identities';
import { UsersService } from '../../../src/users/users.service';
import { startTestApp, TestApp } from '../../support/app';
import { AuthProbeModule } from '../../support/auth-probe';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';
import { JsonClient } from '../../support/http';
import { setStatus, userFactory } from '../../support/user-factory';
import { waitFor } from '../../support/wait-for';

const PASSWORD = 'Perm-pass-2';
const ctx = { ip: '127.0.0.1' };

/** Issue 20.7: an operator action through CognitoAdmin mirrors into auth.users like the local admin port's. */
describe('CognitoAdmin mirrors operator actions into Gatehouse (cognito-local)', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let accounts: AccountAdministration;
  const ACTOR = { userId: randomUUID(), requestId: 'req-op-1' };
  const BY = `admin:${ACTOR.userId}`;
  let provider: CognitoAuthProvider;
  let users: UsersService;
  let api: JsonClient;

  beforeAll(async () => {
    fixture = await startCognitoApp({}, { extra: [AuthProbeModule] });
    ({ cl, t, api } = fixture);
    accounts = t.app.get(AccountAdministration);
    provider = t.app.get(CognitoAuthProvider);
    users = t.app.get(UsersService);
  });
  afterAll(() => fixture?.close());

  /** A Cognito user who signed in through Gatehouse (so their row exists) and a live access token. */
  async function signedIn(email: string, groups: string[] = []): Promise<{ accessToken: string; userId: string }> {
    const { userId } = await accounts.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true, emailVerified: true }, ACTOR);
    // Straight at Cognito (setup, not the action under test): an admin password set through Gatehouse revokes tokens
    // issued before it, and Cognito's iat has whole seconds.
    await cl.client.send(new AdminSetUserPasswordCommand({ UserPoolId: cl.userPoolId, Username: email, Password: PASSWORD, Permanent: true }));
    for (const g of groups) await accounts.addToGroup(userId, g, ACTOR);
    const r = await provider.authenticate(email, PASSWORD, ctx);
    if (r.kind !== 'tokens') throw new Error(`expected tokens, got ${r.kind}`);
    const me = await api.get<{ id: string }>('/api/v1/users/me', r.tokens.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(userId);
    return { accessToken: r.tokens.accessToken, userId };
  }

  it('disableUser moves the row to disabled and revokes live tokens at once', async () => {
    const u = await signedIn('op-disable@example.com');
    await new Promise((r) => setTimeout(r, 1100)); // Cognito iat has whole seconds: the watermark must lie after it.
    await accounts.disable(u.userId, ACTOR);
    const row = await users.findById(u.userId);
    expect(row).toMatchObject({ status: 'disabled' });
    expect(row?.tokensValidAfter).toBeInstanceOf(Date);
    // The user cache is evicted through the database's change feed (LISTEN/NOTIFY): effective within a second.
    await waitFor(async () => ((await api.get<{ error?: { code: string } }>('/api/v1/users/me', u.accessToken)).body.error?.code === 'AUTH_TOKEN_REVOKED'), { timeoutMs: 3000 });
    // enable brings the row back to where it was.
    await accounts.enable(u.userId, ACTOR);
    expect(await users.findById(u.userId)).toMatchObject({ status: 'pending_approval' });
    // The audit rows name the acting admin, not the port.
    expect((await users.eventsFor(u.userId)).filter((e) => e.type.startsWith('status.')).map((e) => [e.type, e.actor])).toEqual([
      ['status.disabled', BY],
      ['status.enabled', BY],
    ]);
  });

  it('deleteUser deletes the row as the local admin port does (the audit row stays)', async () => {
    const u = await signedIn('op-delete@example.com');
    await accounts.delete(u.userId, ACTOR, 'left the company');
    expect(await users.findById(u.userId)).toBeNull();
    expect((await users.eventsFor(u.userId)).map((e) => [e.type, e.actor])).toContainEqual(['admin.user_deleted', BY]);
    // The old token no longer reaches the deleted row (Cognito tokens still verify offline until they expire).
    await waitFor(async () => (await api.get<{ id?: string }>('/api/v1/users/me', u.accessToken)).body.id !== u.userId, { timeoutMs: 3000 });
  });

  it("removing a user from Admins takes the role away now: the demoted admin's token stops working", async () => {
    const u = await signedIn('op-demote@example.com', ['Admins']);
    await setStatus(t.app.get(DataSource), u.userId, 'active');
    // The user cache is evicted through the database's change feed: wait until the admin route sees the change.
    await waitFor(async () => (await api.get('/api/v1/probe/admin', u.accessToken)).status === 200, { timeoutMs: 3000 });
    await new Promise((r) => setTimeout(r, 1100));
    await accounts.removeFromGroup(u.userId, 'Admins', ACTOR);
    await waitFor(async () => ((await api.get<{ error?: { code: string } }>('/api/v1/probe/admin', u.accessToken)).body.error?.code === 'AUTH_TOKEN_REVOKED'), { timeoutMs: 3000 });
    expect(await users.findById(u.userId)).toMatchObject({ role: 'user' });
  });

  it('a provider failure changes nothing locally', async () => {
    const u = await signedIn('op-fail@example.com');
    await expect(accounts.addToGroup(u.userId, 'NoSuchGroup', ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(accounts.disable(randomUUID(), ACTOR)).rejects.toMatchObject({ code: 'USER_NOT_FOUND', status: 404 });
    expect(await users.findById(u.userId)).toMatchObject({ role: 'user', tokensValidAfter: null });
  });
});

/** AdminResetUserPassword and AdminUserGlobalSignOut are lacking in cognito-local: the SDK client is mocked here. */
describe('CognitoAdmin.resetPassword mirrors (mocked SDK: cognito-local lacks AdminResetUserPassword)', () => {
  let t: TestApp;
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const cognito = mockClient(client);
  beforeAll(async () => {
    t = await startTestApp({ AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'us-east-1_Mirror1', COGNITO_CLIENT_ID: 'client1', AWS_REGION: 'us-east-1' });
  });
  afterAll(async () => {
    await t?.close();
    cognito.restore();
    client.destroy();
  });

  it('sets the watermark and signs the user out at Cognito too', async () => {
    const sub = randomUUID();
    const userId = await userFactory.row(t.app.get(DataSource), { issuer: t.config.auth.cognito!.issuer, subject: sub });
    cognito.on(AdminResetUserPasswordCommand).resolves({});
    cognito.on(AdminUserGlobalSignOutCommand).resolves({});
    const ladder = t.app.get(AccountLadder);
    const accounts = new AccountAdministration(new CognitoAdmin(t.config, client, ladder, t.app.get(CognitoIdentities)), ladder, t.config, t.app.get(LoginLockoutReader));
    const actor = { userId: randomUUID() };
    await accounts.resetPassword(userId, actor);
    expect((await t.app.get(UsersService).findById(userId))?.tokensValidAfter).toBeInstanceOf(Date);
    expect(cognito.commandCalls(AdminResetUserPasswordCommand)[0]!.args[0].input).toMatchObject({ Username: sub });
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)).toHaveLength(1);
    expect((await t.app.get(UsersService).eventsFor(userId)).map((e) => [e.type, e.actor])).toEqual(
      expect.arrayContaining([
        ['admin.password_reset', `admin:${actor.userId}`],
        ['tokens.revoked', `admin:${actor.userId}`],
      ]),
    );
  });
});
