import { LOCAL_TOKEN_AUDIENCE } from './key-source';
import type { IssuerPolicy } from './issuer-policy';
import { RejectReason, TokenRejection, VerifiedToken } from './verified-token';

type Claims = Record<string, unknown>;

function fail(reason: RejectReason, detail?: string): never {
  throw new TokenRejection(reason, detail);
}

/** A claim Gatehouse reads is missing or of the wrong type or shape. */
function invalid(detail: string): never {
  fail(RejectReason.CLAIM_INVALID, detail);
}

function optionalString(claims: Claims, name: string): string | null {
  const v = claims[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') invalid(`${name} is not a string`);
  return v;
}

function requiredNumber(claims: Claims, name: string): number {
  const v = claims[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) invalid(`${name} missing or not a number`);
  return v;
}

function stringArray(claims: Claims, name: string): string[] {
  const v = claims[name];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) invalid(`${name} is not an array of strings`);
  return v as string[];
}

function audienceIncludes(claims: Claims, expected: string): boolean {
  const aud = claims.aud;
  if (typeof aud === 'string') return aud === expected;
  return Array.isArray(aud) && aud.every((a) => typeof a === 'string') && aud.includes(expected);
}

/** Cognito (and the user's docs) send `email_verified` as a boolean or as the string "true". */
function truthy(v: unknown): boolean {
  return v === true || v === 'true';
}

/**
 * The claim rules, applied after the signature, `iss`, `exp` and `nbf` were checked by jsonwebtoken. Pure: `now` is
 * passed in, so each rule is unit-tested on its own. Throws TokenRejection; returns the claims Gatehouse uses.
 */
export function checkClaims(policy: IssuerPolicy, claims: Claims, nowS: number, skewS: number): VerifiedToken {
  const sub = optionalString(claims, 'sub');
  if (!sub || sub.length > 255) invalid('sub missing or too long');
  const exp = requiredNumber(claims, 'exp');
  const iat = requiredNumber(claims, 'iat');
  if (iat > nowS + skewS) fail(RejectReason.IAT_IN_FUTURE, `iat ${iat}, now ${nowS}`);
  if (exp <= iat) invalid('exp not after iat');

  let tokenUse: VerifiedToken['tokenUse'];
  let issuedAtMs = iat * 1000;
  let groups: string[] = [];
  switch (policy.kind) {
    case 'cognito': {
      const use = claims.token_use;
      if (use === 'access') {
        // Cognito access tokens carry no `aud`; the app client is in `client_id`.
        if (claims.client_id !== policy.audience) fail(RejectReason.CLIENT_ID_MISMATCH);
        tokenUse = 'access';
      } else if (use === 'id') {
        if (claims.aud !== policy.audience) fail(RejectReason.AUDIENCE_MISMATCH);
        tokenUse = 'id';
      } else {
        fail(RejectReason.TOKEN_USE_MISMATCH, `token_use ${String(JSON.stringify(use)).slice(0, 40)}`);
      }
      groups = stringArray(claims, 'cognito:groups');
      break;
    }
    case 'local': {
      if (claims.token_use !== 'access') fail(RejectReason.TOKEN_USE_MISMATCH, 'local tokens are access tokens');
      if (!audienceIncludes(claims, LOCAL_TOKEN_AUDIENCE)) fail(RejectReason.AUDIENCE_MISMATCH);
      if (claims.iat_ms !== undefined) {
        const ms = requiredNumber(claims, 'iat_ms');
        if (Math.floor(ms / 1000) !== iat) invalid('iat_ms disagrees with iat');
        issuedAtMs = ms;
      }
      tokenUse = 'access';
      break;
    }
    case 'oidc': {
      if (!policy.audience || !audienceIncludes(claims, policy.audience)) fail(RejectReason.AUDIENCE_MISMATCH);
      groups = stringArray(claims, 'groups');
      tokenUse = 'access';
      break;
    }
    case 'bridge': {
      if (policy.audience && !audienceIncludes(claims, policy.audience)) fail(RejectReason.AUDIENCE_MISMATCH);
      if (policy.maxLifetimeS !== undefined && exp - iat > policy.maxLifetimeS) fail(RejectReason.LIFETIME_TOO_LONG, `${exp - iat} s`);
      groups = stringArray(claims, 'groups');
      tokenUse = 'bridge';
      break;
    }
  }

  const scope = optionalString(claims, 'scope');
  // Only an auth_time no later than iat means anything: the session cannot have begun after the token was minted.
  const authTime = typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time) && claims.auth_time <= iat ? claims.auth_time : undefined;
  // Cognito names the sign-in (shared by every access token refreshed from it) `origin_jti`; ours and OIDC's `sid`.
  const sessionId = policy.kind === 'cognito' ? optionalString(claims, 'origin_jti') : optionalString(claims, 'sid');
  return {
    issuer: policy.issuer,
    subject: sub,
    provider: policy.kind,
    tokenUse,
    issuedAt: iat,
    issuedAtMs,
    ...(authTime !== undefined ? { authTimeMs: authTime * 1000 } : {}),
    expiresAt: exp,
    email: optionalString(claims, 'email'),
    emailVerified: truthy(claims.email_verified),
    name: optionalString(claims, 'name'),
    groups,
    scopes: scope ? scope.split(' ').filter(Boolean) : [],
    organizationId: optionalString(claims, 'custom:organizationId'),
    roleClaim: optionalString(claims, 'custom:role'),
    sessionId,
    tokenId: optionalString(claims, 'jti'),
  };
}
