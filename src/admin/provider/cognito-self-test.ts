import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes, randomUUID } from 'node:crypto';
import type { CognitoConfig } from '../../config/config.types';
import { classifyProbe, type SelfTestRow } from './self-test-rows';

type Env = Record<string, string | undefined>;
const POOL_REGION = /^([a-z]{2}(?:-[a-z]+)+-\d)_/;
const TIMEOUT_MS = 5_000;

/** A probe: one Cognito operation Gatehouse uses, called so that it changes nothing, and the IAM action it needs. */
interface Probe {
  check: string;
  iamAction: string;
  send: (c: CognitoIdentityProviderClient, pool: CognitoConfig, probe: ProbeTarget) => Promise<unknown>;
}
interface ProbeTarget {
  /** An address no user has: admin actions on it reach Cognito's user lookup (past IAM) and stop there. */
  username: string;
  group: string;
  password: string;
}

const act = (name: string) => `cognito-idp:${name}`;
const probe = (name: string, send: Probe['send']): Probe => ({ check: name, iamAction: act(name), send });

/** Every Cognito operation Gatehouse calls with its own credentials (the admin port, start-up checks, the CLI). */
const PROBES: Probe[] = [
  probe('DescribeUserPoolClient', (c, p) => c.send(new DescribeUserPoolClientCommand({ UserPoolId: p.userPoolId, ClientId: p.clientId }))),
  probe('ListUserPoolClients', (c, p) => c.send(new ListUserPoolClientsCommand({ UserPoolId: p.userPoolId, MaxResults: 1 }))),
  probe('ListUsers', (c, p) => c.send(new ListUsersCommand({ UserPoolId: p.userPoolId, Limit: 1 }))),
  probe('AdminGetUser', (c, p, t) => c.send(new AdminGetUserCommand({ UserPoolId: p.userPoolId, Username: t.username }))),
  // RESEND for a user that does not exist creates nobody at Cognito (UserNotFoundException); see cleanUp for emulators.
  probe('AdminCreateUser', (c, p, t) =>
    c.send(new AdminCreateUserCommand({ UserPoolId: p.userPoolId, Username: t.username, MessageAction: 'RESEND', DesiredDeliveryMediums: ['EMAIL'] })),
  ),
  probe('AdminDeleteUser', (c, p, t) => c.send(new AdminDeleteUserCommand({ UserPoolId: p.userPoolId, Username: t.username }))),
  probe('AdminEnableUser', (c, p, t) => c.send(new AdminEnableUserCommand({ UserPoolId: p.userPoolId, Username: t.username }))),
  probe('AdminDisableUser', (c, p, t) => c.send(new AdminDisableUserCommand({ UserPoolId: p.userPoolId, Username: t.username }))),
  probe('AdminUserGlobalSignOut', (c, p, t) => c.send(new AdminUserGlobalSignOutCommand({ UserPoolId: p.userPoolId, Username: t.username }))),
  probe('AdminResetUserPassword', (c, p, t) => c.send(new AdminResetUserPasswordCommand({ UserPoolId: p.userPoolId, Username: t.username }))),
  probe('AdminSetUserPassword', (c, p, t) => c.send(new AdminSetUserPasswordCommand({ UserPoolId: p.userPoolId, Username: t.username, Password: t.password, Permanent: false }))),
  probe('AdminUpdateUserAttributes', (c, p, t) =>
    c.send(new AdminUpdateUserAttributesCommand({ UserPoolId: p.userPoolId, Username: t.username, UserAttributes: [{ Name: 'name', Value: 'self-test' }] })),
  ),
  probe('AdminSetUserMFAPreference', (c, p, t) =>
    c.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: p.userPoolId, Username: t.username, SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false } })),
  ),
  probe('AdminListGroupsForUser', (c, p, t) => c.send(new AdminListGroupsForUserCommand({ UserPoolId: p.userPoolId, Username: t.username, Limit: 1 }))),
  probe('AdminAddUserToGroup', (c, p, t) => c.send(new AdminAddUserToGroupCommand({ UserPoolId: p.userPoolId, Username: t.username, GroupName: t.group }))),
  probe('AdminRemoveUserFromGroup', (c, p, t) => c.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: p.userPoolId, Username: t.username, GroupName: t.group }))),
];

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { name: 'Timeout' })), TIMEOUT_MS)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function outcome(work: () => Promise<unknown>): Promise<{ value?: unknown; err?: unknown }> {
  try {
    return { value: await withTimeout(work()) };
  } catch (err) {
    return { err: err ?? new Error('failed') };
  }
}

/**
 * Cognito's side of POST /admin/provider/test: credentials, the pool and region, then each operation Gatehouse uses,
 * called so that nothing changes (reads, or admin actions on a user that does not exist). A denied action is named
 * by its IAM action. Sequential on purpose: a burst of admin calls would meet Cognito's own rate limits.
 */
export async function cognitoSelfTest(client: CognitoIdentityProviderClient, pool: CognitoConfig, env: Env): Promise<SelfTestRow[]> {
  const rows: SelfTestRow[] = [];
  const keys = Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
  const creds = await outcome(() => client.config.credentials());
  rows.push(
    creds.err === undefined
      ? { check: 'credentials', status: 'pass', detail: keys ? 'found: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY' : "found through the SDK's default chain (role, profile, …)" }
      : { check: 'credentials', status: 'fail', detail: `none found (${(creds.err as { name?: string }).name ?? 'Error'}): set the keys or give the process a role` },
  );

  const poolRegion = POOL_REGION.exec(pool.userPoolId)?.[1];
  const clientRegion = await outcome(() => client.config.region());
  const regionNow = typeof clientRegion.value === 'string' ? clientRegion.value : pool.region;
  rows.push(
    poolRegion === undefined
      ? { check: 'pool and region', status: pool.endpoint ? 'pass' : 'fail', detail: pool.endpoint ? `emulator pool ${pool.userPoolId} at COGNITO_ENDPOINT (no region in its id)` : `pool id ${pool.userPoolId} names no region` }
      : poolRegion === regionNow
        ? { check: 'pool and region', status: 'pass', detail: `${pool.userPoolId} is in ${regionNow}` }
        : { check: 'pool and region', status: 'fail', detail: `${pool.userPoolId} is in ${poolRegion} but the client calls ${regionNow} (AWS_REGION)` },
  );

  const described = await outcome(() => client.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId })));
  const row = classifyProbe('DescribeUserPool', act('DescribeUserPool'), described.err);
  const id = (described.value as { UserPool?: { Id?: string } } | undefined)?.UserPool?.Id;
  rows.push(row.status === 'pass' && id !== undefined && id !== pool.userPoolId ? { ...row, status: 'fail', detail: `answered for another pool (${id})` } : row);

  const target: ProbeTarget = {
    username: `gatehouse-self-test-${randomUUID()}@self-test.invalid`,
    group: `gatehouse-self-test-${randomUUID()}`,
    password: `${randomBytes(18).toString('base64url')}aA1!`,
  };
  for (const p of PROBES) {
    const result = await outcome(() => p.send(client, pool, target));
    rows.push(classifyProbe(p.check, p.iamAction, result.err));
    if (p.check === 'AdminCreateUser' && result.err === undefined) await cleanUp(client, pool, result.value, rows);
  }
  return rows;
}

/**
 * Real Cognito creates nobody for RESEND; an emulator (cognito-local) does. The probe user is deleted again and the
 * row says so, so a self-test never leaves a user behind.
 */
async function cleanUp(client: CognitoIdentityProviderClient, pool: CognitoConfig, created: unknown, rows: SelfTestRow[]): Promise<void> {
  const username = (created as { User?: { Username?: string } } | undefined)?.User?.Username;
  if (!username) return;
  const deleted = await outcome(() => client.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: username })));
  const last = rows[rows.length - 1]!;
  last.detail = deleted.err === undefined ? 'allowed (the endpoint created the probe user, as an emulator does; it was deleted again)' : 'allowed, but the probe user it created could not be deleted';
  if (deleted.err !== undefined) last.status = 'warn';
}
