import {
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import jwt from 'jsonwebtoken';
import { CognitoAdmin } from '../../../src/auth/providers/cognito/cognito-admin.service';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { COGNITO_ROLE_CLAIM_POLICY, CognitoRoleClaimPolicy, checkRoleClaimTrust } from '../../../src/auth/providers/cognito/cognito-role-claim.policy';
import { ROLE_CLAIM_POLICY } from '../../../src/auth/role-claim-policy';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthAdminPort } from '../../../src/auth/providers/admin-port';
import type { AccountLadder } from '../../../src/auth/account-ladder';
import type { CognitoIdentities } from '../../../src/auth/providers/cognito/cognito-identities';
import type { AppError } from '../../../src/common/errors/app-error';
import { testConfig, TestApp } from '../../support/app';
import { CognitoApp, startCognitoApp } from '../../support/cognito-app';
import { CognitoLocal } from '../../support/cognito-local';

describe('CognitoAdmin against cognito-local', () => {
  let fixture: CognitoApp;
  let cl: CognitoLocal;
  let t: TestApp;
  let admin: AuthAdminPort;
  let provider: CognitoAuthProvider;
  const ctx = { ip: '127.0.0.1' };

  beforeAll(async () => {
    fixture = await startCognitoApp();
    ({ cl, t } = fixture);
    admin = t.app.get(CognitoAdmin);
    provider = t.app.get(CognitoAuthProvider);
  });
  afterAll(() => fixture?.close());

  const ACTOR = { userId: randomUUID() };
  const rowOf = async (userId: string) => (await t.app.get(DataSource).query(`SELECT status, role FROM auth.users WHERE id = $1`, [userId])) as Array<{ status: string; role: string }>;

  it('creates (with a Gatehouse row to act on), reads, updates, lists and deletes users', async () => {
    const email = 'admin-made@example.com';
    const created = await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true, emailVerified: true }, ACTOR);
    expect(created).toMatchObject({ email, status: 'FORCE_CHANGE_PASSWORD', enabled: true, userId: expect.any(String) });
    expect(await rowOf(created.userId)).toEqual([{ status: 'pending_approval', role: 'user' }]);
    await expect(admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true }, ACTOR)).rejects.toMatchObject({ code: 'EMAIL_IN_USE', status: 409 });

    await admin.updateAttributes(created.userId, { name: 'Ada' }, ACTOR);
    expect(await admin.getUser(created.userId)).toMatchObject({ email, userId: created.userId, attributes: { name: 'Ada' } });

    const page = await admin.listUsers({ limit: 10 });
    expect(page.users.map((u) => u.email)).toContain(email);

    await admin.deleteUser(created.userId, ACTOR);
    await expect(admin.getUser(created.userId)).rejects.toMatchObject({ code: 'USER_NOT_FOUND', status: 404 });
    await expect(admin.getUser(randomUUID())).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('set password (permanent) lets the user sign in without a challenge; disable/enable show in the user', async () => {
    const email = 'admin-pw@example.com';
    const { userId } = await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true }, ACTOR);
    await admin.setPassword(userId, 'Perm-pass-2', true, ACTOR);
    expect((await provider.authenticate(email, 'Perm-pass-2', ctx)).kind).toBe('tokens');

    await admin.disableUser(userId, ACTOR);
    expect(await admin.getUser(userId)).toMatchObject({ enabled: false });
    // The port is the provider side only: the ladder is AccountAdministration's to move.
    expect(await rowOf(userId)).toEqual([{ status: 'pending_verification', role: 'user' }]);
    await admin.enableUser(userId, ACTOR);
    expect(await admin.getUser(userId)).toMatchObject({ enabled: true });
  });

  it('group membership shows up in the next tokens and goes away when removed', async () => {
    const email = 'admin-groups@example.com';
    const { userId } = await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true }, ACTOR);
    await admin.setPassword(userId, 'Perm-pass-2', true, ACTOR);
    expect(await admin.addToGroup(userId, 'Auditors', ACTOR)).toEqual({ role: 'auditor' });
    const withGroup = await provider.authenticate(email, 'Perm-pass-2', ctx);
    expect(withGroup.kind === 'tokens' && jwt.decode(withGroup.tokens.accessToken)).toMatchObject({ 'cognito:groups': ['Auditors'] });
    expect(await admin.removeFromGroup(userId, 'Auditors', ACTOR)).toEqual({ role: 'user', tokensMayCarry: 'auditor' });
    const without = await provider.authenticate(email, 'Perm-pass-2', ctx);
    expect(without.kind === 'tokens' && (jwt.decode(without.tokens.accessToken) as Record<string, unknown>)['cognito:groups']).toBeUndefined();
    await expect(admin.addToGroup(userId, 'NoSuchGroup', ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('describes the pool and the app client (never the secret)', async () => {
    expect(await admin.describeDirectory()).toMatchObject({ id: cl.userPoolId, name: 'gatehouse-test', mfa: 'optional', usernameAttributes: ['email'] });
    const client = await admin.describeClient();
    expect(client).toMatchObject({ id: cl.clientId, hasSecret: false });
    expect(client.authFlows).toEqual(expect.arrayContaining(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']));
  });

  it('reports operations cognito-local lacks as NOT_SUPPORTED (AdminResetUserPassword, AdminSetUserMFAPreference)', async () => {
    const { userId } = await admin.createUser({ email: 'admin-gaps@example.com', temporaryPassword: 'Temp-pass-1', suppressInvite: true }, ACTOR);
    await expect(admin.resetPassword(userId, ACTOR)).rejects.toMatchObject({ code: 'NOT_SUPPORTED', status: 501 });
    await expect(admin.setMfaPreference(userId, { totp: { enabled: true } }, ACTOR)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });
});

/** Operations cognito-local lacks, and failure shapes it cannot produce: the SDK client is mocked (aws-sdk-client-mock). */
describe('CognitoAdmin with a mocked SDK', () => {
  const config = testConfig({ AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'us-east-1_Abc123', COGNITO_CLIENT_ID: 'client1', AWS_REGION: 'us-east-1' });
  // Only this client instance is mocked: the cognito-local suites in this file keep their real clients.
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const cognito = mockClient(client);
  const ACTOR = { userId: randomUUID() };
  // Users u1 and u2 are rows of this pool (subject = Cognito Username); the ladder itself is not touched here.
  const rows: Record<string, { id: string; subject: string; issuer: string; authProvider: string }> = {
    u1: { id: 'u1', subject: 'sub-1', issuer: config.auth.cognito!.issuer, authProvider: 'cognito' },
    u2: { id: 'u2', subject: 'sub-2', issuer: config.auth.cognito!.issuer, authProvider: 'cognito' },
  };
  const ladder = { findUser: (id: string) => Promise.resolve(rows[id] ?? null), record: () => Promise.resolve() } as unknown as AccountLadder;
  const admin: AuthAdminPort = new CognitoAdmin(config, client, ladder, {} as CognitoIdentities);
  beforeEach(() => cognito.reset());
  afterAll(() => {
    cognito.restore();
    client.destroy();
  });

  it('setMfaPreference sends AdminSetUserMFAPreference for the row’s Cognito user (lacking in cognito-local)', async () => {
    cognito.on(AdminSetUserMFAPreferenceCommand).resolves({});
    await admin.setMfaPreference('u1', { totp: { enabled: true, preferred: true }, sms: { enabled: false } }, ACTOR);
    expect(cognito.commandCalls(AdminSetUserMFAPreferenceCommand)[0]!.args[0].input).toEqual({
      UserPoolId: 'us-east-1_Abc123',
      Username: 'sub-1',
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      SMSMfaSettings: { Enabled: false, PreferredMfa: false },
    });
  });

  it('requireMfa enables TOTP as preferred, and says not challenged when the user has no authenticator', async () => {
    cognito.on(AdminSetUserMFAPreferenceCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('User has not verified software token mfa'), { name: 'InvalidParameterException' }));
    expect(await admin.requireMfa('u1', ACTOR)).toEqual({ challenged: true });
    expect(cognito.commandCalls(AdminSetUserMFAPreferenceCommand)[0]!.args[0].input.SoftwareTokenMfaSettings).toEqual({ Enabled: true, PreferredMfa: true });
    expect(await admin.requireMfa('u2', ACTOR)).toEqual({ challenged: false });
  });

  it('resetPassword sends AdminResetUserPassword (lacking in cognito-local)', async () => {
    cognito.on(AdminResetUserPasswordCommand).resolves({});
    await admin.resetPassword('u1', ACTOR);
    expect(cognito.commandCalls(AdminResetUserPasswordCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'us-east-1_Abc123', Username: 'sub-1' });
  });

  it('signOutEverywhere sends AdminUserGlobalSignOut (lacking in cognito-local); its failure is the caller’s to see', async () => {
    cognito.on(AdminUserGlobalSignOutCommand).resolvesOnce({}).rejectsOnce(new Error('connect ETIMEDOUT'));
    await admin.signOutEverywhere('u1', ACTOR);
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'us-east-1_Abc123', Username: 'sub-1' });
    await expect(admin.signOutEverywhere('u1', ACTOR)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 503 });
  });

  it('a user id that is not a row of this pool is USER_NOT_FOUND, before any AWS call', async () => {
    await expect(admin.disableUser('nobody', ACTOR)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(cognito.calls()).toHaveLength(0);
  });

  it('listUsers passes the cursor through and returns the next one (cognito-local does not paginate)', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [{ Username: 'u1', Attributes: [{ Name: 'email', Value: 'a@example.com' }] }], PaginationToken: 'next-2' });
    const page = await admin.listUsers({ limit: 500, cursor: 'next-1' });
    expect(cognito.commandCalls(ListUsersCommand)[0]!.args[0].input).toMatchObject({ Limit: 60, PaginationToken: 'next-1' });
    expect(page).toEqual({ users: [expect.objectContaining({ username: 'u1', email: 'a@example.com' })], nextCursor: 'next-2' });
  });

  it('an outage is PROVIDER_UNAVAILABLE, an IAM refusal PROVIDER_ACCESS_DENIED, throttling RATE_LIMITED; no AWS text reaches the message', async () => {
    cognito
      .on(ListUsersCommand)
      .rejectsOnce(new Error('connect ETIMEDOUT'))
      .rejectsOnce(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }))
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    const outage = await admin.listUsers().catch((e: AppError) => e);
    expect(outage).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 503 });
    expect((outage as AppError).message).not.toContain('ETIMEDOUT');
    await expect(admin.listUsers()).rejects.toMatchObject({ code: 'PROVIDER_ACCESS_DENIED', detail: 'ListUsers: AccessDeniedException' });
    await expect(admin.listUsers()).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429 });
  });

  it('without Cognito configured every operation is PROVIDER_UNAVAILABLE', async () => {
    const bare: AuthAdminPort = new CognitoAdmin(testConfig({}), client, ladder, {} as CognitoIdentities);
    await expect(bare.getUser('u1')).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });
});

describe('custom:role trust check at start-up', () => {
  async function policyFor(writeAttributes: string[] | undefined, trust: string): Promise<CognitoRoleClaimPolicy> {
    const { t, close } = await startCognitoApp({ TRUST_ROLE_CLAIM: trust }, { pool: { writeAttributes } });
    try {
      // The policy the PrincipalResolver actually uses (AuthModule binds ROLE_CLAIM_POLICY to Cognito's verdict).
      const used = t.app.get<CognitoRoleClaimPolicy>(ROLE_CLAIM_POLICY);
      expect(used).toBe(t.app.get<CognitoRoleClaimPolicy>(COGNITO_ROLE_CLAIM_POLICY));
      return used;
    } finally {
      await close();
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
