import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand, ListUserPoolClientsCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { AppConfig } from '../../../config/config.types';
import type { RoleClaimPolicy } from '../../role-claim-policy';
import { cognitoErrorName } from './cognito-errors';

/**
 * Injection token for Cognito's verdict on `custom:role` and `custom:organizationId`. Same shape as the verifier's
 * RoleClaimPolicy, so AuthModule can bind it with `{ provide: ROLE_CLAIM_POLICY, useExisting: COGNITO_ROLE_CLAIM_POLICY }`.
 */
export const COGNITO_ROLE_CLAIM_POLICY = Symbol('COGNITO_ROLE_CLAIM_POLICY');

export interface CognitoRoleClaimPolicy extends RoleClaimPolicy {
  /** Why (role), for the start-up log and the admin status page. */
  readonly reason: string;
  /** Why (tenant). */
  readonly tenantReason: string;
}

/** The attribute whose claim would grant a role. */
export const ROLE_ATTRIBUTE = 'custom:role';
/** The attribute whose claim would place the user in a tenant. */
export const TENANT_ATTRIBUTE = 'custom:organizationId';

/** One app client of the pool and what its users may write about themselves. */
export interface PoolClientWrites {
  clientId: string;
  writeAttributes?: readonly string[];
}

/**
 * Pure rule: an attribute claim can be believed only when NO app client of the pool can write it. A user can call
 * UpdateUserAttributes with an access token from any client of the pool (not only Gatehouse's), so one writable
 * client is enough to make themselves admin or join another tenant. An absent or empty WriteAttributes means
 * "standard attributes only" (AWS: "When you don't specify the WriteAttributes for your app client, your app can write
 * the values of the Standard attributes"), so custom attributes are not writable then. `clients` undefined means the
 * pool could not be read: nothing is proved, nothing is trusted (fail closed).
 */
export function decideClaimTrust(trustRoleClaim: boolean, clients: readonly PoolClientWrites[] | undefined, unreadable = 'the app clients could not be read'): CognitoRoleClaimPolicy {
  const writers = (attribute: string): string[] => (clients ?? []).filter((c) => (c.writeAttributes ?? []).includes(attribute)).map((c) => c.clientId);
  const verdict = (attribute: string): { trusted: boolean; reason: string } => {
    if (!clients) return { trusted: false, reason: `${unreadable}: cannot prove ${attribute} is read-only` };
    const w = writers(attribute);
    if (w.length > 0) return { trusted: false, reason: `app client(s) ${w.join(', ')} can write ${attribute}: users could set it themselves` };
    return { trusted: true, reason: `no app client of the pool (${clients.length}) can write ${attribute}` };
  };
  const role = trustRoleClaim ? verdict(ROLE_ATTRIBUTE) : { trusted: false, reason: 'TRUST_ROLE_CLAIM is off' };
  const tenant = verdict(TENANT_ATTRIBUTE);
  return { trusted: role.trusted, reason: role.reason, tenantTrusted: tenant.trusted, tenantReason: tenant.reason };
}

/** Back-compatible single-client form of the rule (Gatehouse's client only); kept for its unit tests' readability. */
export function decideRoleClaimTrust(trustRoleClaim: boolean, writeAttributes: readonly string[] | undefined): CognitoRoleClaimPolicy {
  return decideClaimTrust(trustRoleClaim, [{ clientId: 'gatehouse', writeAttributes }]);
}

/** Every app client of the pool (ListUserPoolClients, paged) with its WriteAttributes (DescribeUserPoolClient each). */
export async function poolClientWrites(client: CognitoIdentityProviderClient, userPoolId: string): Promise<PoolClientWrites[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken }));
    for (const c of page.UserPoolClients ?? []) if (c.ClientId) ids.push(c.ClientId);
    NextToken = page.NextToken;
  } while (NextToken);
  const out: PoolClientWrites[] = [];
  for (const clientId of ids) {
    const d = await client.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
    out.push({ clientId, writeAttributes: d.UserPoolClient?.WriteAttributes });
  }
  return out;
}

/**
 * Start-up check: reads every app client of the pool and applies the rule above, for `custom:role` (only when
 * TRUST_ROLE_CLAIM=true) and `custom:organizationId` (always: a tenant is never taken from a writable attribute).
 * Fails closed: if the clients cannot be listed or described (no credentials, no permission, unreachable), neither
 * claim is trusted and the reason says why; roles then come from groups only and the tenant from the user row.
 */
export async function checkRoleClaimTrust(config: AppConfig, client: CognitoIdentityProviderClient): Promise<CognitoRoleClaimPolicy> {
  const cognito = config.auth.cognito;
  if (!cognito) return decideClaimTrust(config.auth.trustRoleClaim, undefined, 'Cognito is not configured');
  try {
    return decideClaimTrust(config.auth.trustRoleClaim, await poolClientWrites(client, cognito.userPoolId));
  } catch (err) {
    return decideClaimTrust(config.auth.trustRoleClaim, undefined, `ListUserPoolClients/DescribeUserPoolClient failed (${cognitoErrorName(err) ?? 'Error'})`);
  }
}
