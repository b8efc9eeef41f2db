import {
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import jwt from 'jsonwebtoken';
import { CognitoAdmin } from '../../../src/auth/providers/cognito/cognito-admin.service';
import { AWS_CREDENTIALS_ENV, resetCognitoClients } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { COGNITO_ROLE_CLAIM_POLICY, CognitoRoleClaimPolicy, checkRoleClaimTrust } from '../../../src/auth/providers/cognito/cognito-role-claim.policy';
import { ROLE_CLAIM_POLICY } from '../../../src/auth/role-claim-policy';
import type { AccountMirror } from '../../../src/users/account-mirror.service';
import type { UsersService } from '../../../src/users/users.service';
import { startTestApp, testConfig, TestApp } from '../../support/app';
import { CognitoLocal, startCognitoLocal } from '../../support/cognito-local';

const DUMMY_KEYS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

describe('CognitoAdmin against cognito-local', () => {
  let cl: CognitoLocal;
  let t: TestApp;
  let admin: CognitoAdmin;
  let provider: CognitoAuthProvider;
  const ctx = { ip: '127.0.0.1' };

  beforeAll(async () => {
    cl = await startCognitoLocal();
    t = await startTestApp(cl.env, { override: [{ token: AWS_CREDENTIALS_ENV, value: DUMMY_KEYS }] });
    admin = t.app.get(CognitoAdmin);
    provider = t.app.get(CognitoAuthProvider);
  });
  afterAll(async () => {
    await t?.close();
    resetCognitoClients();
    await cl?.stop();
  });

  it('creates, reads, updates, lists and deletes users', async () => {
    const email = 'admin-made@example.com';
    const created = await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true, emailVerified: true });
    expect(created).toMatchObject({ ok: true, data: { email, status: 'FORCE_CHANGE_PASSWORD', enabled: true } });
    expect(await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true })).toMatchObject({ ok: false, reason: 'already_exists' });

    expect(await admin.updateAttributes(email, { name: 'Ada' })).toEqual({ ok: true, data: undefined });
    const got = await admin.getUser(email);
    expect(got).toMatchObject({ ok: true, data: { email, attributes: { name: 'Ada' } } });

    const page = await admin.listUsers({ limit: 10 });
    expect(page.ok && page.data.users.map((u) => u.email)).toContain(email);

    expect(await admin.deleteUser(email)).toEqual({ ok: true, data: undefined });
    expect(await admin.getUser(email)).toMatchObject({ ok: false, reason: 'not_found', error: { name: 'UserNotFoundException' } });
  });

  it('set password (permanent) lets the user sign in without a challenge; disable/enable show in the user', async () => {
    const email = 'admin-pw@example.com';
    await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true });
    expect(await admin.setPassword(email, 'Perm-pass-2', true)).toEqual({ ok: true, data: undefined });
    expect((await provider.authenticate(email, 'Perm-pass-2', ctx)).kind).toBe('tokens');

    expect(await admin.disableUser(email)).toEqual({ ok: true, data: undefined });
    expect(await admin.getUser(email)).toMatchObject({ ok: true, data: { enabled: false } });
    expect(await admin.enableUser(email)).toEqual({ ok: true, data: undefined });
    expect(await admin.getUser(email)).toMatchObject({ ok: true, data: { enabled: true } });
  });

  it('group membership shows up in the next tokens and goes away when removed', async () => {
    const email = 'admin-groups@example.com';
    await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true });
    await admin.setPassword(email, 'Perm-pass-2', true);
    expect(await admin.addToGroup(email, 'Auditors')).toEqual({ ok: true, data: undefined });
    const withGroup = await provider.authenticate(email, 'Perm-pass-2', ctx);
    expect(withGroup.kind === 'tokens' && jwt.decode(withGroup.tokens.accessToken)).toMatchObject({ 'cognito:groups': ['Auditors'] });
    expect(await admin.removeFromGroup(email, 'Auditors')).toEqual({ ok: true, data: undefined });
    const without = await provider.authenticate(email, 'Perm-pass-2', ctx);
    expect(without.kind === 'tokens' && (jwt.decode(without.tokens.accessToken) as Record<string, unknown>)['cognito:groups']).toBeUndefined();
    expect(await admin.addToGroup(email, 'NoSuchGroup')).toMatchObject({ ok: false, reason: 'not_found' });
  });

  it('describes the pool and the app client (never the secret)', async () => {
    expect(await admin.describeDirectory()).toMatchObject({ ok: true, data: { id: cl.userPoolId, name: 'gatehouse-test', mfa: 'optional', usernameAttributes: ['email'] } });
    const client = await admin.describeClient();
    expect(client).toMatchObject({ ok: true, data: { id: cl.clientId, hasSecret: false } });
    expect(client.ok && client.data.authFlows).toEqual(expect.arrayContaining(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']));
  });

  it('reports operations cognito-local lacks as not_supported (AdminResetUserPassword, AdminSetUserMFAPreference)', async () => {
    const email = 'admin-gaps@example.com';
    await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true });
    expect(await admin.resetPassword(email)).toMatchObject({ ok: false, reason: 'not_supported' });
    expect(await admin.setMfaPreference(email, { totp: { enabled: true } })).toMatchObject({ ok: false, reason: 'not_supported' });
  });
});

/** Operations cognito-local lacks, and failure shapes it cannot produce: the SDK client is mocked (aws-sdk-client-mock). */
describe('CognitoAdmin with a mocked SDK', () => {
  const config = testConfig({ AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'us-east-1_Abc123', COGNITO_CLIENT_ID: 'client1', AWS_REGION: 'us-east-1' });
  // Only this client instance is mocked: the cognito-local suites in this file keep their real clients.
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const cognito = mockClient(client);
  // No Gatehouse rows here: these tests are about the Cognito calls (mirroring: cognito-operator-actions.e2e-spec.ts).
  const noRows = { findByIssuerSubject: () => Promise.resolve(null) } as unknown as UsersService;
  const admin = new CognitoAdmin(config, client, noRows, {} as AccountMirror);
  beforeEach(() => cognito.reset());
  afterAll(() => {
    cognito.restore();
    client.destroy();
  });

  it('setMfaPreference sends AdminSetUserMFAPreference (lacking in cognito-local)', async () => {
    cognito.on(AdminSetUserMFAPreferenceCommand).resolves({});
    expect(await admin.setMfaPreference('u1', { totp: { enabled: true, preferred: true }, sms: { enabled: false } })).toEqual({ ok: true, data: undefined });
    expect(cognito.commandCalls(AdminSetUserMFAPreferenceCommand)[0]!.args[0].input).toEqual({
      UserPoolId: 'us-east-1_Abc123',
      Username: 'u1',
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      SMSMfaSettings: { Enabled: false, PreferredMfa: false },
    });
  });

  it('requireMfa enables TOTP as preferred, and says mfa_not_enrolled when the user has no authenticator', async () => {
    cognito.on(AdminSetUserMFAPreferenceCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('User has not verified software token mfa'), { name: 'InvalidParameterException' }));
    expect(await admin.requireMfa('u1')).toEqual({ ok: true, data: undefined });
    expect(cognito.commandCalls(AdminSetUserMFAPreferenceCommand)[0]!.args[0].input.SoftwareTokenMfaSettings).toEqual({ Enabled: true, PreferredMfa: true });
    expect(await admin.requireMfa('u2')).toMatchObject({ ok: false, reason: 'mfa_not_enrolled', error: { name: 'InvalidParameterException' } });
  });

  it('resetPassword sends AdminResetUserPassword (lacking in cognito-local)', async () => {
    cognito.on(AdminResetUserPasswordCommand).resolves({});
    expect(await admin.resetPassword('u1')).toEqual({ ok: true, data: undefined });
    expect(cognito.commandCalls(AdminResetUserPasswordCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'us-east-1_Abc123', Username: 'u1' });
  });

  it('listUsers passes the cursor through and returns the next one (cognito-local does not paginate)', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [{ Username: 'u1', Attributes: [{ Name: 'email', Value: 'a@example.com' }] }], PaginationToken: 'next-2' });
    const page = await admin.listUsers({ limit: 500, cursor: 'next-1' });
    expect(cognito.commandCalls(ListUsersCommand)[0]!.args[0].input).toMatchObject({ Limit: 60, PaginationToken: 'next-1' });
    expect(page).toEqual({ ok: true, data: { users: [expect.objectContaining({ username: 'u1', email: 'a@example.com' })], nextCursor: 'next-2' } });
  });

  it('an outage is reason unavailable, an IAM refusal is forbidden, throttling is rate_limited', async () => {
    cognito
      .on(ListUsersCommand)
      .rejectsOnce(new Error('connect ETIMEDOUT'))
      .rejectsOnce(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }))
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    expect(await admin.listUsers()).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(await admin.listUsers()).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(await admin.listUsers()).toMatchObject({ ok: false, reason: 'rate_limited' });
  });

  it('without Cognito configured every operation is not_configured', async () => {
    const bare = new CognitoAdmin(testConfig({}), client, noRows, {} as AccountMirror);
    expect(await bare.getUser('u1')).toEqual({ ok: false, reason: 'not_configured' });
  });
});

describe('custom:role trust check at start-up', () => {
  let cl: CognitoLocal;
  afterEach(async () => {
    resetCognitoClients();
    await cl?.stop();
  });

  async function policyFor(writeAttributes: string[] | undefined, trust: string): Promise<CognitoRoleClaimPolicy> {
    cl = await startCognitoLocal({ writeAttributes });
    const t = await startTestApp({ ...cl.env, TRUST_ROLE_CLAIM: trust }, { override: [{ token: AWS_CREDENTIALS_ENV, value: DUMMY_KEYS }] });
    try {
      // The policy the PrincipalResolver actually uses (AuthModule binds ROLE_CLAIM_POLICY to Cognito's verdict).
      const used = t.app.get<CognitoRoleClaimPolicy>(ROLE_CLAIM_POLICY);
      expect(used).toBe(t.app.get<CognitoRoleClaimPolicy>(COGNITO_ROLE_CLAIM_POLICY));
      return used;
    } finally {
      await t.close();
    }
  }

  it('refuses custom:role when the app client can write it (a user could make themselves admin)', async () => {
    expect(await policyFor(['email', 'custom:role'], 'true')).toMatchObject({ trusted: false, reason: expect.stringContaining('can write custom:role') });
  });

  it('trusts custom:role when TRUST_ROLE_CLAIM=true and the client cannot write it', async () => {
    expect(await policyFor(['email', 'name'], 'true')).toMatchObject({ trusted: true });
  });

  it('never trusts it with TRUST_ROLE_CLAIM=false, writable or not', async () => {
    expect(await policyFor(['email'], 'false')).toMatchObject({ trusted: false });
  });

  it('fails closed when an app client cannot be described (mocked: AccessDenied, which cognito-local cannot produce)', async () => {
    const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const cognito = mockClient(client);
    try {
      cognito.on(ListUserPoolClientsCommand).resolves({ UserPoolClients: [{ ClientId: 'c' }, { ClientId: 'other' }] });
      cognito.on(DescribeUserPoolClientCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
      const config = testConfig({ AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'us-east-1_Abc123', COGNITO_CLIENT_ID: 'c', TRUST_ROLE_CLAIM: 'true' });
      const policy = await checkRoleClaimTrust(config, client);
      expect(policy).toMatchObject({ trusted: false, tenantTrusted: false, reason: expect.stringContaining('AccessDeniedException') });
    } finally {
      cognito.restore();
    }
  });
});
