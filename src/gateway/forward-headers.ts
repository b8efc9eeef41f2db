import type { IncomingHttpHeaders } from 'node:http';
import { SIGNATURE_HEADER, type GatehouseIdentity } from './upstream-verify';

export type HeaderMap = Record<string, string | string[] | undefined>;

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1, and the proxy-* pair of §11.7): they describe one connection, never the
 * message, so a proxy drops them, and with them every field the Connection header names.
 */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate', 'expect']);

/**
 * What a client may never tell an upstream: who it is (X-User-*), what Gatehouse said (X-Gatehouse-*, X-Request-Id is
 * Gatehouse's own) and where it came from (Forwarded, X-Forwarded-*, X-Real-IP). A client that could send these
 * would pick its own identity or address; Gatehouse writes them afresh on every request.
 */
export function isSpoofable(name: string): boolean {
  return (
    name.startsWith('x-user-') ||
    name.startsWith('x-gatehouse-') ||
    name.startsWith('x-forwarded-') ||
    name === 'forwarded' ||
    name === 'x-real-ip' ||
    name === 'x-request-id'
  );
}

/** The lower-cased field names a Connection header lists (RFC 9110 §7.6.1). */
function connectionListed(headers: HeaderMap): Set<string> {
  const value = headers.connection;
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(joined.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

export interface ForwardFacts {
  /** The upstream's host[:port], for Host. */
  upstreamHost: string;
  /** X-Forwarded-For as Gatehouse believes it: the client first, then each trusted hop, then the peer that connected. */
  forwardedFor: readonly string[];
  /** The scheme and Host the client used (as believed under TRUST_PROXY). */
  proto: string;
  host: string;
  identity: GatehouseIdentity;
  signature: string;
  forwardAuthorization: boolean;
  forwardCookies: boolean;
}

/** The headers an upstream receives: the client's end-to-end fields minus the spoofable ones, plus Gatehouse's. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardFacts): Record<string, string | string[]> {
  const listed = connectionListed(incoming);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name) || isSpoofable(name) || name === 'host') continue;
    if (name === 'authorization' && !facts.forwardAuthorization) continue;
    if (name === 'cookie' && !facts.forwardCookies) continue;
    out[name] = value;
  }
  out.host = facts.upstreamHost;
  out['x-forwarded-for'] = facts.forwardedFor.join(', ');
  out['x-forwarded-proto'] = facts.proto;
  out['x-forwarded-host'] = facts.host;
  out['x-request-id'] = facts.identity.requestId;
  out['x-user-id'] = facts.identity.userId;
  out['x-user-email'] = facts.identity.email;
  out['x-user-role'] = facts.identity.role;
  out[SIGNATURE_HEADER] = facts.signature;
  return out;
}

/**
 * The upstream's response headers the client receives: no hop-by-hop fields, no X-Request-Id (Gatehouse's stays), and
 * no Set-Cookie unless the route allows it (an upstream must not plant cookies on Gatehouse's origin by default).
 */
export function clientResponseHeaders(upstream: HeaderMap, allowSetCookie: boolean): HeaderMap {
  const listed = connectionListed(upstream);
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name) || name === 'x-request-id') continue;
    if (name === 'set-cookie' && !allowSetCookie) continue;
    out[name] = value;
  }
  return out;
}
