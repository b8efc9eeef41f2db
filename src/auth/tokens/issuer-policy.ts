import type { KeySource } from './key-source';

export type IssuerKind = 'cognito' | 'local' | 'oidc' | 'bridge';

/**
 * One trusted issuer, entirely from configuration: the exact `iss` string, the algorithms it may use, where its keys
 * come from, and the claim rules of its kind. Nothing here is ever taken from a token.
 */
export interface IssuerPolicy {
  kind: IssuerKind;
  issuer: string;
  algorithms: readonly ['RS256'] | readonly ['HS256'];
  keys: KeySource;
  /** Cognito: the app client id (`client_id` of access tokens, `aud` of ID tokens). OIDC, bridge: the audience. */
  audience?: string;
  /** Bridge only: the longest lifetime (exp − iat) accepted, seconds. */
  maxLifetimeS?: number;
}
