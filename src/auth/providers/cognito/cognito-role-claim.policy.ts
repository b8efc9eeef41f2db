import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { AppConfig } from '../../../config/config.types';
import { cognitoErrorName } from './cognito-errors';

/**
 * Injection token for Cognito's verdict on `custom:role`. Same shape as the verifier's RoleClaimPolicy
 * (`{ trusted: boolean }`), so AuthModule can bind it with
 * `{ provide: ROLE_CLAIM_POLICY, useExisting: COGNITO_ROLE_CLAIM_POLICY }` when AUTH_PROVIDER=cognito.
 */
export const COGNITO_ROLE_CLAIM_POLICY = Symbol('COGNITO_ROLE_CLAIM_POLICY');

export interface CognitoRoleClaimPolicy {
  /** Whether an ID token's `custom:role` may set the caller's role. */
  readonly trusted: boolean;
  /** Why, for the start-up log and the admin status page. */
  readonly reason: string;
}

/** The attribute whose claim would grant a role. */
export const ROLE_ATTRIBUTE = 'custom:role';

/**
 * Pure rule: a role claim can be believed only when TRUST_ROLE_CLAIM=true AND the app client cannot write the
 * attribute. If the client's WriteAttributes include `custom:role`, any signed-in user can call UpdateUserAttributes
 * with their own access token and make themselves admin (privilege escalation), so the claim is refused.
 * An absent or empty WriteAttributes means "standard attributes only" (AWS: "When you don't specify the
 * WriteAttributes for your app client, your app can write the values of the Standard attributes"), so custom
 * attributes are not writable then.
 */
export function decideRoleClaimTrust(trustRoleClaim: boolean, writeAttributes: readonly string[] | undefined): CognitoRoleClaimPolicy {
  if (!trustRoleClaim) return { trusted: false, reason: 'TRUST_ROLE_CLAIM is off' };
  if ((writeAttributes ?? []).includes(ROLE_ATTRIBUTE)) {
    return { trusted: false, reason: `the app client can write ${ROLE_ATTRIBUTE}: users could grant themselves a role` };
  }
  return { trusted: true, reason: `the app client cannot write ${ROLE_ATTRIBUTE}` };
}

/**
 * Start-up check (only when TRUST_ROLE_CLAIM=true): reads the app client with DescribeUserPoolClient and applies
 * the rule above. Fails closed: if the client cannot be described (no credentials, no permission, unreachable), the
 * claim is not trusted and the reason says why; roles then come from groups only.
 *
 * Note: this checks Gatehouse's app client. Another app client in the same pool that may write `custom:role` would
 * still let users set it; operators must keep the attribute off every client's WriteAttributes.
 */
export async function checkRoleClaimTrust(config: AppConfig, client: CognitoIdentityProviderClient): Promise<CognitoRoleClaimPolicy> {
  if (!config.auth.trustRoleClaim) return decideRoleClaimTrust(false, undefined);
  const cognito = config.auth.cognito;
  if (!cognito) return { trusted: false, reason: 'Cognito is not configured' };
  try {
    const out = await client.send(new DescribeUserPoolClientCommand({ UserPoolId: cognito.userPoolId, ClientId: cognito.clientId }));
    return decideRoleClaimTrust(true, out.UserPoolClient?.WriteAttributes);
  } catch (err) {
    return { trusted: false, reason: `DescribeUserPoolClient failed (${cognitoErrorName(err) ?? 'Error'}): cannot prove ${ROLE_ATTRIBUTE} is read-only` };
  }
}
