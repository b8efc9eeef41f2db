import { RejectReason, TokenRejection } from '../tokens/verified-token';
import { MAX_TOKEN_LENGTH } from '../tokens/jwt-parts';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i;

/**
 * The token from an `Authorization: Bearer …` header: undefined when there is no header at all, a rejection when
 * there is one that is not a well-formed bearer credential (another scheme, extra spaces, an oversized token).
 */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || header.length > MAX_TOKEN_LENGTH + 7) throw new TokenRejection(RejectReason.CREDENTIAL_MALFORMED, 'authorization header malformed or too long');
  const m = BEARER.exec(header);
  if (!m) throw new TokenRejection(RejectReason.CREDENTIAL_MALFORMED, 'authorization header is not a bearer token');
  return m[1];
}

/**
 * What follows `Bearer ` (any case) in a header, WITHOUT the character rule: only for looking the token up in the
 * verified-token cache. Every token there passed full verification, which parsed it as three base64url segments
 * (jwt-parts.ts), all of them bearer characters, so `bearerToken` gives the same token for the same header: a hit
 * needs no second pass of the rule over the ~1 kB header. A miss must go through `bearerToken` (AuthGuard does).
 */
export function bearerCandidate(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length < 8 || header.length > MAX_TOKEN_LENGTH + 7) return undefined;
  return header.slice(0, 7).toLowerCase() === 'bearer ' ? header.slice(7) : undefined;
}
