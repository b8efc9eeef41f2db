import { ForbiddenError } from '../../common/errors/app-error';
import { MAX_TOKEN_LENGTH } from '../tokens/jwt-parts';
import { RejectReason, TokenRejection } from '../tokens/verified-token';
import { bearerToken } from './bearer';

export type CredentialSource = 'bearer' | 'cookie';

export interface RequestCredential {
  token: string;
  via: CredentialSource;
}

/** The parts of a request the credential rules read (Express's request satisfies it). */
export interface CredentialRequest {
  method: string;
  headers: { authorization?: string | string[]; origin?: string | string[] };
  cookies?: Record<string, unknown>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The request's credential: the `Authorization: Bearer` header first (an explicit credential always wins, and is
 * never subject to the Origin rule: a cross-site page cannot make a browser attach it), else the session cookie,
 * which the browser attaches on its own and therefore must pass the Origin rule on state-changing requests.
 * Undefined when there is neither.
 */
export function requestCredential(req: CredentialRequest, cookieName: string, allowedOrigins: ReadonlySet<string>): RequestCredential | undefined {
  const bearer = bearerToken(req.headers.authorization);
  if (bearer !== undefined) return { token: bearer, via: 'bearer' };
  const cookie = req.cookies?.[cookieName];
  if (cookie === undefined || cookie === '') return undefined;
  if (typeof cookie !== 'string' || cookie.length > MAX_TOKEN_LENGTH) throw new TokenRejection(RejectReason.CREDENTIAL_MALFORMED, 'session cookie malformed or too long');
  assertOriginAllowed(req, allowedOrigins);
  return { token: cookie, via: 'cookie' };
}

/**
 * Cross-site request forgery defence for cookie-authenticated requests: a state-changing method (anything but GET,
 * HEAD, OPTIONS) must carry an `Origin` that is exactly one of CORS_ORIGINS or Gatehouse's own (allowed-origins.ts). A missing Origin is refused too: every
 * current browser sends it on cross-origin and on same-origin non-GET fetches, so its absence means an old client or
 * a stripped header, neither of which should ride on ambient cookies. SameSite=Lax is the first line; this covers
 * same-site attackers (a sibling subdomain) and browsers that ignore SameSite.
 */
export function assertOriginAllowed(req: Pick<CredentialRequest, 'method' | 'headers'>, allowedOrigins: ReadonlySet<string>): void {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return;
  const origin = req.headers.origin;
  if (typeof origin === 'string' && allowedOrigins.has(origin)) return;
  throw new ForbiddenError(
    'ORIGIN_NOT_ALLOWED',
    'This request must come from an allowed origin',
    undefined,
    `cookie-authenticated ${req.method} with origin ${typeof origin === 'string' ? origin.slice(0, 100) : 'missing'}`,
  );
}
