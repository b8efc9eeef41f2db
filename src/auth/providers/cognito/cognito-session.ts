import { randomBytes } from 'node:crypto';
import type { AuthenticationResultType } from '@aws-sdk/client-cognito-identity-provider';
import { SealedJson } from '../../../common/crypto/sealed-json';
import type { ChallengeName, TokenSet } from '../auth-provider';

/**
 * What Gatehouse hands the client as the challenge `session`, sealed (AES-256-GCM, see SealedJson): Cognito's own
 * session plus the Cognito username the next call must send as USERNAME (and hash into SECRET_HASH), the address the
 * login named, a random id (the attempt budget's key) and an expiry. Sealed, because the username inside it is what
 * RespondToAuthChallenge acts on: an unsealed one let a forged session name any user (cognito-local does not bind its
 * session to the user at all, so a forged session took over any account on shared dev and staging pools).
 */
export interface ChallengeSession {
  /** Cognito username (USER_ID_FOR_SRP: the sub when email is the username attribute). */
  u: string;
  /** The email the user signed in with. */
  e: string;
  c: ChallengeName;
  /** Cognito's session. */
  s: string;
  /** Random id: the per-session attempt budget is keyed by it. */
  id: string;
  /** Milliseconds since epoch after which the session is refused, whatever Cognito would say. */
  exp: number;
}

/** A challenge session lives five minutes at most (as the local provider's); Cognito's own default is three. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
const CHALLENGE_PREFIX = 'cgc2.';

/** Seals and opens challenge sessions; `open` answers undefined for anything Gatehouse did not seal, or expired. */
export class ChallengeSessionSealer {
  private readonly sealed: SealedJson;

  constructor(
    secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.sealed = new SealedJson(secret, 'gatehouse cognito challenge session', 'gatehouse cognito challenge v2', CHALLENGE_PREFIX.slice(0, -1), 8192);
  }

  seal(s: Omit<ChallengeSession, 'id' | 'exp'>): string {
    return this.sealed.seal({ ...s, id: randomBytes(16).toString('base64url'), exp: this.now() + CHALLENGE_TTL_MS });
  }

  open(raw: string): ChallengeSession | undefined {
    const v = this.sealed.open(raw) as Partial<ChallengeSession> | undefined;
    if (!v || typeof v !== 'object') return undefined;
    const strings = [v.u, v.e, v.c, v.s, v.id].every((x) => typeof x === 'string' && x.length > 0);
    if (!strings || typeof v.exp !== 'number' || v.exp <= this.now()) return undefined;
    return v as ChallengeSession;
  }
}

/** Refresh tokens Gatehouse hands out: `cgr2.<base64url JSON {u, t}>.<Cognito's refresh token>`. */
const REFRESH_PREFIX = 'cgr2.';
/** The earlier form (username only, and only with a client secret): still read so issued tokens keep working. */
const REFRESH_PREFIX_V1 = 'cgr1.';

export interface WrappedRefresh {
  /** Cognito username (the sub), for SECRET_HASH and for finding the user's row before calling Cognito. */
  username?: string;
  /**
   * When the session began (ms), as Gatehouse saw the sign-in. Not signed: it can only make the check stricter,
   * because the session's age is the earlier of this and the refreshed token's `auth_time` (which real Cognito keeps).
   */
  authTimeMs?: number;
  token: string;
}

export function wrapRefreshToken(username: string, token: string, authTimeMs: number): string {
  return `${REFRESH_PREFIX}${Buffer.from(JSON.stringify({ u: username, t: authTimeMs })).toString('base64url')}.${token}`;
}

/** `{ username, authTimeMs, token }`; both are undefined for a plain (unwrapped) Cognito refresh token. */
export function unwrapRefreshToken(raw: string): WrappedRefresh {
  const prefix = raw.startsWith(REFRESH_PREFIX) ? REFRESH_PREFIX : raw.startsWith(REFRESH_PREFIX_V1) ? REFRESH_PREFIX_V1 : undefined;
  if (!prefix) return { token: raw };
  const rest = raw.slice(prefix.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return { token: raw };
  const head = Buffer.from(rest.slice(0, dot), 'base64url').toString('utf8');
  const token = rest.slice(dot + 1);
  if (prefix === REFRESH_PREFIX_V1) return { username: head, token };
  try {
    const v = JSON.parse(head) as { u?: unknown; t?: unknown };
    return { username: typeof v.u === 'string' ? v.u : undefined, authTimeMs: typeof v.t === 'number' ? v.t : undefined, token };
  } catch {
    return { token };
  }
}

/** `auth_time` (the original sign-in) of a token Cognito just returned, in ms; undefined when absent. */
export function unverifiedAuthTimeMs(jwt: string | undefined): number | undefined {
  const t = unverifiedClaims(jwt)?.auth_time;
  return typeof t === 'number' && Number.isFinite(t) ? t * 1000 : undefined;
}

/** Reads `exp` from a JWT without verifying it (only to tell the client when to refresh). */
function secondsUntilExp(jwt: string, nowMs: number): number | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? Math.max(0, Math.floor(exp - nowMs / 1000)) : undefined;
  } catch {
    return undefined;
  }
}

/** Cognito's AuthenticationResult as a TokenSet. cognito-local omits ExpiresIn, so it falls back to the token's exp. */
export function toTokenSet(r: AuthenticationResultType, refreshToken: string | undefined, nowMs = Date.now()): TokenSet {
  const accessToken = r.AccessToken as string;
  return {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(r.IdToken ? { idToken: r.IdToken } : {}),
    expiresIn: r.ExpiresIn ?? secondsUntilExp(accessToken, nowMs) ?? 3600,
    tokenType: 'Bearer',
  };
}

/** The claims of a token Cognito just returned to us (not verified: it came from our own call to Cognito). */
export function unverifiedClaims(jwt: string | undefined): Record<string, unknown> | undefined {
  const part = jwt?.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `sub` of a token Cognito just returned to us (not verified: used only to find the user's row). */
export function unverifiedSub(jwt: string | undefined): string | undefined {
  const sub = unverifiedClaims(jwt)?.sub;
  return typeof sub === 'string' ? sub : undefined;
}
