/**
 * The upstream's side of Gatehouse's gateway signature, in one dependency-free file (node:crypto only) that an internal
 * service may copy as it is. Gatehouse signs every forwarded request with it too, so both sides share one definition.
 *
 * `X-Gatehouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over, one per line:
 *   gatehouse-v1, METHOD, the request target as the upstream receives it (path and query), t, X-Request-Id,
 *   X-User-Id, X-User-Email (empty when none), X-User-Role.
 * The key is GATEWAY_SIGNING_SECRET. The timestamp bounds replay (a captured request is refused once older than the
 * tolerance); the request id lets an upstream that keeps recent ids refuse a replay inside that window too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-gatehouse-signature';
const SCHEME = 'gatehouse-v1';

/** Who Gatehouse vouches for on one request: the values of X-User-Id, X-User-Email, X-User-Role and X-Request-Id. */
export interface GatehouseIdentity {
  userId: string;
  email: string;
  role: string;
  requestId: string;
}

export type GatehouseVerification =
  | ({ ok: true; timestamp: number } & GatehouseIdentity)
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

/** The signed text: each part on its own line (header values cannot hold a newline, so no part can forge another). */
function signingInput(method: string, target: string, timestamp: number, id: GatehouseIdentity): string {
  return [SCHEME, method.toUpperCase(), target, String(timestamp), id.requestId, id.userId, id.email, id.role].join('\n');
}

function hmac(secret: string, input: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

/** The X-Gatehouse-Signature value for one forwarded request (Gatehouse's side). */
export function signGatehouseRequest(secret: string, method: string, target: string, timestamp: number, identity: GatehouseIdentity): string {
  return `t=${timestamp},v1=${hmac(secret, signingInput(method, target, timestamp, identity)).toString('hex')}`;
}

/** One header's single value; a repeated header is refused (an attacker's copy must not sit beside Gatehouse's). */
function single(headers: Record<string, string | string[] | undefined>, name: string): string | undefined | null {
  const v = headers[name];
  return Array.isArray(v) ? null : v;
}

/**
 * Checks that a request came through Gatehouse, unchanged, recently. `req.url` is the request target exactly as
 * received (Node's `req.url`), `req.headers` lower-cased as Node gives them. `toleranceS` (default 60) bounds the age
 * of the signature either way (clock skew). On `ok: true`, trust the returned identity and nothing else.
 */
export function verifyGatehouseSignature(
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined> },
  secret: string,
  opts: { toleranceS?: number; nowS?: number } = {},
): GatehouseVerification {
  const header = single(req.headers, SIGNATURE_HEADER);
  if (header === undefined) return { ok: false, reason: 'missing' };
  const m = header === null ? null : /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header);
  const ids = ['x-user-id', 'x-user-email', 'x-user-role', 'x-request-id'].map((n) => single(req.headers, n));
  if (!m || ids.some((v) => v === null) || ids[0] === undefined) return { ok: false, reason: 'malformed' };
  const identity: GatehouseIdentity = { userId: ids[0]!, email: ids[1] ?? '', role: ids[2] ?? '', requestId: ids[3] ?? '' };
  const timestamp = Number(m[1]);
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (opts.toleranceS ?? 60)) return { ok: false, reason: 'expired' };
  const expected = hmac(secret, signingInput(req.method, req.url, timestamp, identity));
  // Constant-time: a byte-by-byte compare would let a caller find the signature one byte at a time.
  if (!timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'))) return { ok: false, reason: 'mismatch' };
  return { ok: true, timestamp, ...identity };
}
