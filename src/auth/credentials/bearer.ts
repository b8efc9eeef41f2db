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
