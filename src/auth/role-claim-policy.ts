/**
 * Whether `custom:role` may be believed. Off unless TRUST_ROLE_CLAIM=true; for Cognito the provider module also
 * checks at start-up that the app client cannot write the attribute (else a user could make themselves admin) and
 * binds its own policy under this token.
 */
export const ROLE_CLAIM_POLICY = Symbol('ROLE_CLAIM_POLICY');

export interface RoleClaimPolicy {
  readonly trusted: boolean;
}
