/** The attributes of a session cookie, as @fastify/cookie takes them (`maxAge` in seconds). */
export interface CookieOptions {
  httpOnly: true;
  secure: boolean;
  sameSite: 'lax';
  path: '/';
  maxAge?: number;
}

/** Lifetime of a login transaction (authorize → callback). */
export const LOGIN_TRANSACTION_TTL_S = 600;

export interface SessionCookieNames {
  /** The issuer's access token, verified on every request by the one TokenVerifier. */
  session: string;
  /** The sealed login transaction (PKCE verifier, state, nonce) between /hosted/login and /hosted/callback. */
  transaction: string;
}

/**
 * Cookie names. Outside development/test the cookies are `Secure` and carry the `__Host-` prefix, which browsers
 * only accept from a secure origin, for Path=/ and without Domain: a sibling subdomain cannot plant or overwrite
 * them (cookie tossing would otherwise let an attacker log a victim into the attacker's account).
 */
export function sessionCookieNames(secure: boolean): SessionCookieNames {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}gatehouse_session`, transaction: `${prefix}gatehouse_login` };
}

/**
 * HTTP-only (no script can read them, so XSS cannot exfiltrate the session), `SameSite=Lax` (sent on the top-level
 * GET navigation back from the issuer, withheld from cross-site POSTs, fetches and frames: the first CSRF defence;
 * the guard's Origin check is the second), `Secure` outside development/test.
 */
export function cookieOptions(secure: boolean, maxAgeS: number): CookieOptions {
  return { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: maxAgeS };
}

/** Options for clearing: the attributes must match the ones the cookie was set with. */
export function clearCookieOptions(secure: boolean): CookieOptions {
  return { httpOnly: true, secure, sameSite: 'lax', path: '/' };
}
