/**
 * Which user-attribute claims may be believed. `custom:role` is off unless TRUST_ROLE_CLAIM=true; for Cognito the
 * provider module also checks at start-up that no app client of the pool can write the attribute (else a user could
 * make themselves admin) and binds its own policy under this token. The same proof decides `custom:organizationId`
 * (the tenant): a user who may write it could join any tenant.
 */
export const ROLE_CLAIM_POLICY = Symbol('ROLE_CLAIM_POLICY');

export interface RoleClaimPolicy {
  /** Whether an ID token's `custom:role` may set the caller's role. */
  readonly trusted: boolean;
  /** Whether a token's `custom:organizationId` may set the caller's tenant. */
  readonly tenantTrusted: boolean;
}
