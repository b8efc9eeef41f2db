import type { KeyObject } from 'node:crypto';

/**
 * Where the verifier gets an issuer's public keys. Remote issuers (Cognito, OIDC) use the JWKS cache; the local
 * provider serves its own keys in-process through LOCAL_KEY_SOURCE, so its tokens verify without an HTTP round trip.
 */
export interface KeySource {
  /** The public key for `kid`, or undefined when there is none (after any refetch the source allows itself). */
  getKey(kid: string | undefined): Promise<KeyObject | undefined>;
}

/** Injection token: the local provider binds its key store here; absent when the local provider is not active. */
export const LOCAL_KEY_SOURCE = Symbol('LOCAL_KEY_SOURCE');

/** The `aud` of access tokens minted by the local provider (its `iss` is PUBLIC_URL). */
export const LOCAL_TOKEN_AUDIENCE = 'gatehouse';

/**
 * The `issuer` column of local users. A constant rather than PUBLIC_URL (the `iss` of their tokens), so changing
 * PUBLIC_URL re-issues tokens under the new name without orphaning every local account.
 */
export const LOCAL_USER_ISSUER = 'urn:gatehouse:local';
