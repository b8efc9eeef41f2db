import type { AuthenticationResultType } from '@aws-sdk/client-cognito-identity-provider';
import type { ChallengeName, TokenSet } from '../auth-provider';

/**
 * What Gatehouse hands the client as the challenge `session`: Cognito's own session plus the Cognito username the
 * next call must send as USERNAME (and hash into SECRET_HASH). It is not a secret and needs no signature: Cognito
 * binds its session to that user, so a tampered username only makes RespondToAuthChallenge fail.
 */
export interface ChallengeSession {
  /** Cognito username (USER_ID_FOR_SRP: the sub when email is the username attribute). */
  u: string;
  /** The email the user signed in with. */
  e: string;
  c: ChallengeName;
  /** Cognito's session. */
  s: string;
}

const CHALLENGE_PREFIX = 'cgc1.';
/** Refresh tokens are wrapped only when the app client has a secret (REFRESH_TOKEN_AUTH then needs the username). */
const REFRESH_PREFIX = 'cgr1.';

export function encodeChallengeSession(s: ChallengeSession): string {
  return CHALLENGE_PREFIX + Buffer.from(JSON.stringify(s)).toString('base64url');
}

/** The decoded session, or undefined when it is not one of ours. */
export function decodeChallengeSession(raw: string): ChallengeSession | undefined {
  if (!raw.startsWith(CHALLENGE_PREFIX)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(raw.slice(CHALLENGE_PREFIX.length), 'base64url').toString('utf8')) as Partial<ChallengeSession>;
    if (typeof v.u === 'string' && typeof v.e === 'string' && typeof v.c === 'string' && typeof v.s === 'string') return v as ChallengeSession;
  } catch {
    // fall through
  }
  return undefined;
}

export function wrapRefreshToken(username: string, token: string): string {
  return `${REFRESH_PREFIX}${Buffer.from(username).toString('base64url')}.${token}`;
}

/** `{ username, token }`; username is undefined for a plain (unwrapped) Cognito refresh token. */
export function unwrapRefreshToken(raw: string): { username?: string; token: string } {
  if (!raw.startsWith(REFRESH_PREFIX)) return { token: raw };
  const rest = raw.slice(REFRESH_PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return { token: raw };
  return { username: Buffer.from(rest.slice(0, dot), 'base64url').toString('utf8'), token: rest.slice(dot + 1) };
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
