import fastifyCookie from '@fastify/cookie';
import type { IncomingHttpHeaders } from 'node:http';
import { assertOriginAllowed, type RequestCredential, bearerToken, MAX_TOKEN_LENGTH, RejectReason, TokenRejection } from '../auth';

/** Where a socket's token came from; `query` and `auth` are bearer credentials a page sets on purpose. */
export type HandshakeSource = 'auth' | 'header' | 'query' | 'cookie';

/** The parts of a socket.io handshake the credential rules read. */
export interface Handshake {
  headers: IncomingHttpHeaders;
  auth: Record<string, unknown>;
  query: Record<string, unknown>;
  /** The upgrade request's URL, query string included (socket.io keeps it as `handshake.url`). */
  url?: string;
}

export interface HandshakeCredential extends RequestCredential {
  source: HandshakeSource;
}

/**
 * The handshake's credential, in order of preference: `auth.token` (socket.io-client's `auth` option: sent in the
 * CONNECT packet, never in a URL), the `Authorization: Bearer` header (Node clients), the `token` query parameter
 * (clients that can only put it in the URL: the request log never writes socket.io URLs), else the hosted-login
 * session cookie. Undefined when there is none; a rejection when one is present but malformed.
 */
export function handshakeCredential(h: Handshake, cookieName: string, allowedOrigins: ReadonlySet<string>): HandshakeCredential | undefined {
  const fromAuth = explicitToken(h.auth.token, 'auth.token');
  if (fromAuth !== undefined) return { token: fromAuth, via: 'bearer', source: 'auth' };
  const fromHeader = bearerToken(h.headers.authorization);
  if (fromHeader !== undefined) return { token: fromHeader, via: 'bearer', source: 'header' };
  const fromQuery = explicitToken(h.query.token, 'token query parameter');
  if (fromQuery !== undefined) return { token: fromQuery, via: 'bearer', source: 'query' };
  const cookieHeader = h.headers.cookie;
  if (!cookieHeader) return undefined;
  const cookie = fastifyCookie.parse(cookieHeader)[cookieName];
  if (cookie === undefined || cookie === '') return undefined;
  if (cookie.length > MAX_TOKEN_LENGTH) throw new TokenRejection(RejectReason.CREDENTIAL_MALFORMED, 'session cookie too long');
  // Cross-site WebSocket hijacking: the browser attaches the cookie to a handshake any page starts, and a socket is a
  // two-way channel, so the handshake (a GET) is held to the rule of state-changing requests: an Origin from
  // CORS_ORIGINS, and none missing.
  assertOriginAllowed({ method: 'WEBSOCKET', headers: h.headers }, allowedOrigins);
  return { token: cookie, via: 'cookie', source: 'cookie' };
}

function explicitToken(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_TOKEN_LENGTH) throw new TokenRejection(RejectReason.CREDENTIAL_MALFORMED, `${where} malformed or too long`);
  return value;
}

/**
 * Removes every place a handshake carries its credential (auth.token, the token query parameter, also in the kept
 * URL, the Authorization and Cookie headers) once the socket is admitted: socket.io keeps the handshake for the connection's whole life, and
 * nothing reads the raw token again (the socket holds the verified one).
 */
export function forgetHandshakeCredential(h: Handshake): void {
  if (typeof h.auth === 'object' && h.auth !== null) delete h.auth.token;
  if (typeof h.query === 'object' && h.query !== null) delete h.query.token;
  const q = h.url?.indexOf('?') ?? -1;
  if (h.url !== undefined && q >= 0) {
    const params = new URLSearchParams(h.url.slice(q + 1));
    params.delete('token');
    const rest = params.toString();
    h.url = h.url.slice(0, q) + (rest ? `?${rest}` : '');
  }
  delete h.headers.authorization;
  delete h.headers.cookie;
}
