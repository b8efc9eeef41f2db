import { RejectReason, TokenRejection } from './verified-token';

/** Longer tokens are refused before any parsing: no real access token comes close (Cognito's are ~1 kB). */
export const MAX_TOKEN_LENGTH = 8_192;
const B64URL = /^[A-Za-z0-9_-]+$/;
const SAFE_KID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

export interface UnverifiedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  if (!B64URL.test(segment)) throw new TokenRejection(RejectReason.MALFORMED, `${what} is not base64url`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejection(RejectReason.MALFORMED, `${what} is not JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TokenRejection(RejectReason.MALFORMED, `${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * Structural checks before any key is looked up: size, three base64url segments, JSON objects, a string `alg`, a
 * plain `kid`. Nothing here is trusted yet; it only decides which configured issuer's rules and keys apply.
 */
export function parseUnverified(token: string): UnverifiedJwt {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejection(RejectReason.MALFORMED, `token longer than ${MAX_TOKEN_LENGTH}`);
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenRejection(RejectReason.MALFORMED, `token has ${parts.length} segments`);
  const [h, p, s] = parts as [string, string, string];
  if (!B64URL.test(s)) throw new TokenRejection(RejectReason.MALFORMED, 'signature missing or not base64url');
  const header = decodeJsonSegment(h, 'header');
  const payload = decodeJsonSegment(p, 'payload');
  if (typeof header.alg !== 'string') throw new TokenRejection(RejectReason.MALFORMED, 'alg missing');
  // RFC 7515 §4.1.11: extensions we do not understand must make the token invalid.
  if (header.crit !== undefined) throw new TokenRejection(RejectReason.CRIT_UNSUPPORTED);
  if (header.kid !== undefined && (typeof header.kid !== 'string' || !SAFE_KID.test(header.kid))) {
    // Stops path traversal, SQL text and 10 kB kids before they reach a cache or a fetch.
    throw new TokenRejection(RejectReason.KID_MALFORMED);
  }
  return { header, payload };
}
