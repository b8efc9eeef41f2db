import { Controller, Module, Post } from '@nestjs/common';
import { calculatePKCECodeChallenge, randomPKCECodeVerifier } from 'openid-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CurrentUser } from '../../src/common/decorators/auth.decorators';
import type { Principal } from '../../src/common/principal';
import { startTestApp, TestApp } from '../support/app';
import { LogCapture } from '../support/log-capture';
import { AuthProbeModule } from '../support/auth-probe';
import { OIDC_AUDIENCE, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OidcIssuer, signInAt } from '../support/oidc-issuer';
import { setStatus } from '../support/user-factory';

/** Gatehouse as the browser knows it (behind a proxy); the tests send its requests to the loopback app instead. */
const PUBLIC_URL = 'http://gatehouse.test';
const CALLBACK = `${PUBLIC_URL}/api/v1/auth/hosted/callback`;
const FRONTEND = 'http://app.test/';
const ORIGIN = 'http://app.test';
const TX = 'gatehouse_login';
const SESSION = 'gatehouse_session';

@Controller('probe')
class WriteProbeController {
  @Post('write') write(@CurrentUser() p: Principal): { userId: string } {
    return { userId: p.userId };
  }
}
@Module({ controllers: [WriteProbeController] })
class WriteProbeModule {}

function setCookie(res: request.Response, name: string): string | undefined {
  const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return lines.find((l) => l.startsWith(`${name}=`));
}

function cookieValue(res: request.Response, name: string): string {
  const line = setCookie(res, name);
  if (!line) throw new Error(`no Set-Cookie for ${name}`);
  return line.slice(name.length + 1).split(';')[0]!;
}

describe('hosted login (authorization code + PKCE) against a real OpenID provider', () => {
  const issuer = new OidcIssuer({ redirectUri: CALLBACK, postLogoutRedirectUri: FRONTEND });
  let gh: TestApp;

  const env = (extra: Record<string, string> = {}) => ({
    AUTH_PROVIDER: 'oidc',
    OIDC_ISSUER: issuer.issuer,
    OIDC_AUDIENCE,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    PUBLIC_URL,
    FRONTEND_URL: FRONTEND,
    CORS_ORIGINS: ORIGIN,
    SESSION_SECRET: 'session-secret-for-the-hosted-login-tests-0123456789',
    ...extra,
  });

  /** GET /hosted/login: the authorize URL and the sealed transaction cookie. */
  async function begin(): Promise<{ authorize: URL; tx: string }> {
    const res = await request(gh.url).get('/api/v1/auth/hosted/login').expect(302);
    return { authorize: new URL(res.headers.location!), tx: cookieValue(res, TX) };
  }

  /** The browser's return to Gatehouse, carrying the transaction cookie. */
  function callback(cb: URL, tx?: string): request.Test {
    const req = request(gh.url).get(`${cb.pathname}${cb.search}`);
    return tx === undefined ? req : req.set('Cookie', `${TX}=${tx}`);
  }

  /** A complete sign-in as `account`: the session cookie's value and the callback it came from. */
  async function signIn(account: string): Promise<{ session: string; cb: URL; tx: string }> {
    const { authorize, tx } = await begin();
    const cb = await signInAt(authorize.href, account, CALLBACK);
    const res = await callback(cb, tx).expect(302);
    return { session: cookieValue(res, SESSION), cb, tx };
  }

  /** Onboarding is another feature's business: these users are approved directly. */
  async function signInActive(account: string): Promise<{ session: string }> {
    const result = await signIn(account);
    const [row] = (await gh.app.get(DataSource).query(`SELECT id FROM auth.users WHERE issuer = $1 AND subject = $2`, [issuer.issuer, account])) as Array<{ id: string }>;
    await setStatus(gh.app.get(DataSource), row!.id, 'active');
    return result;
  }

  const logs = new LogCapture();
  const me = (cookie: string) => request(gh.url).get('/api/v1/users/me').set('Cookie', `${SESSION}=${cookie}`);

  beforeAll(async () => {
    await issuer.start();
    gh = await startTestApp({ ...env(), LOG_LEVEL: 'info' }, { extra: [AuthProbeModule, WriteProbeModule], logDestination: logs.stream });
  });
  afterAll(async () => {
    await gh?.close();
    await issuer.stop();
  });

  it('redirects to the authorize endpoint with S256 PKCE, state, nonce and scopes, and seals them in an HTTP-only cookie', async () => {
    const res = await request(gh.url).get('/api/v1/auth/hosted/login').expect(302);
    const url = new URL(res.headers.location!);
    expect(url.origin + url.pathname).toBe(`${issuer.issuer}/auth`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(OIDC_CLIENT_ID);
    expect(q.get('redirect_uri')).toBe(CALLBACK);
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    const line = setCookie(res, TX)!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Max-Age=600/);
    expect(line).toMatch(/Path=\//);
    expect(line).not.toMatch(/Secure/); // NODE_ENV=test; production sets Secure and the __Host- prefix
    // Sealed: neither the state nor the nonce can be read from the cookie.
    const tx = cookieValue(res, TX);
    expect(decodeURIComponent(tx)).not.toContain(q.get('state')!);
    expect(Buffer.from(tx.slice(3), 'base64url').toString('latin1')).not.toContain(q.get('nonce')!);
  });

  it('the admin console\'s button (?returnTo=console) lands on PUBLIC_URL/admin/ after the callback; an unknown returnTo is a 400 and starts nothing', async () => {
    const start = await request(gh.url).get('/api/v1/auth/hosted/login?returnTo=console').expect(302);
    const cb = await signInAt(new URL(start.headers.location!).href, `carol-${Date.now()}`, CALLBACK);
    const res = await callback(cb, cookieValue(start, TX)).expect(302);
    expect(res.headers.location).toBe(`${PUBLIC_URL}/admin/`);
    expect(setCookie(res, SESSION)).toBeDefined();
    // A closed list, never a URL: nothing can turn the callback into an open redirect.
    const bad = await request(gh.url).get(`/api/v1/auth/hosted/login?returnTo=${encodeURIComponent('https://evil.example/')}`).expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(setCookie(bad, TX)).toBeUndefined();
  });

  it('happy path: provisions the user by (iss, sub), sets the session cookie and redirects to the front end; the cookie authorizes /users/me', async () => {
    const account = `alice-${Date.now()}`;
    const { authorize, tx } = await begin();
    const cb = await signInAt(authorize.href, account, CALLBACK);
    const res = await callback(cb, tx).expect(302);
    expect(res.headers.location).toBe(FRONTEND);
    const line = setCookie(res, SESSION)!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Max-Age=\d+/);
    expect(setCookie(res, TX)).toMatch(/Expires=Thu, 01 Jan 1970/); // the transaction is spent

    const session = cookieValue(res, SESSION);
    const profile = await me(session).expect(200);
    expect(profile.body).toMatchObject({ provider: 'oidc', email: `${account}@partner.example` });
    const status = await request(gh.url).get('/api/v1/auth/status').set('Cookie', `${SESSION}=${session}`).expect(200);
    expect(status.body).toMatchObject({ authenticated: true, via: 'cookie', provider: 'oidc', userId: profile.body.id, hostedLogin: true });

    // A second sign-in of the same account is the same user (keyed by issuer and subject).
    const again = await signIn(account);
    expect((await me(again.session).expect(200)).body.id).toBe(profile.body.id);
  });

  it('refuses a callback whose state is not the one this browser started with (login CSRF)', async () => {
    const { authorize, tx } = await begin();
    const cb = await signInAt(authorize.href, 'mallory', CALLBACK);
    cb.searchParams.set('state', 'attacker-state');
    const res = await callback(cb, tx).expect(400);
    expect(res.body.error.code).toBe('HOSTED_LOGIN_FAILED');
    expect(setCookie(res, SESSION)).toBeUndefined();

    // Another login's transaction (an attacker's code delivered to the victim's browser) fails the same way.
    const victim = await begin();
    const attackerCb = await signInAt((await begin()).authorize.href, 'mallory', CALLBACK);
    expect((await callback(attackerCb, victim.tx).expect(400)).body.error.code).toBe('HOSTED_LOGIN_FAILED');
  });

  it('refuses a callback without the transaction cookie, or with a tampered one', async () => {
    const { authorize, tx } = await begin();
    const cb = await signInAt(authorize.href, 'bob', CALLBACK);
    await callback(cb).expect(400);
    await callback(cb, `${tx.slice(0, -4)}AAAA`).expect(400);
  });

  it('refuses a code bound to another PKCE verifier (code injection)', async () => {
    const { authorize, tx } = await begin();
    // The code is issued for a challenge whose verifier this browser's transaction does not hold.
    authorize.searchParams.set('code_challenge', await calculatePKCECodeChallenge(randomPKCECodeVerifier()));
    const cb = await signInAt(authorize.href, 'carol', CALLBACK);
    const res = await callback(cb, tx).expect(400);
    expect(res.body.error.code).toBe('HOSTED_LOGIN_FAILED');
  });

  it('refuses an ID token whose nonce is not this login’s (token replay)', async () => {
    const { authorize, tx } = await begin();
    authorize.searchParams.set('nonce', 'some-other-login-nonce');
    const cb = await signInAt(authorize.href, 'dave', CALLBACK);
    const res = await callback(cb, tx).expect(400);
    expect(res.body.error.code).toBe('HOSTED_LOGIN_FAILED');
    expect(setCookie(res, SESSION)).toBeUndefined();
  });

  it('refuses a replayed code, even with the original transaction cookie', async () => {
    const { cb, tx } = await signIn(`erin-${Date.now()}`);
    const res = await callback(cb, tx).expect(400);
    expect(res.body.error.code).toBe('HOSTED_LOGIN_FAILED');
  });

  it('refuses a forged or garbage session cookie', async () => {
    expect((await me('not.a.jwt').expect(401)).body.error.code).toBe('AUTH_TOKEN_INVALID');
  });

  describe('Origin rule on cookie-authenticated state-changing requests', () => {
    let session: string;
    beforeAll(async () => {
      ({ session } = await signInActive(`frank-${Date.now()}`));
    });
    const write = () => request(gh.url).post('/api/v1/probe/write').set('Cookie', `${SESSION}=${session}`);

    it('passes with an allowed Origin', async () => {
      await write().set('Origin', ORIGIN).expect(201);
    });

    it('refuses another origin and a missing Origin with 403 ORIGIN_NOT_ALLOWED', async () => {
      expect((await write().set('Origin', 'http://evil.test').expect(403)).body.error.code).toBe('ORIGIN_NOT_ALLOWED');
      expect((await write().expect(403)).body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    });

    it('does not apply to bearer-authenticated requests', async () => {
      await request(gh.url).post('/api/v1/probe/write').set('Authorization', `Bearer ${session}`).expect(201);
    });
  });

  it('the bearer header wins over the session cookie', async () => {
    const a = await signIn(`gina-${Date.now()}`);
    const b = await signIn(`hank-${Date.now()}`);
    const aId = (await me(a.session).expect(200)).body.id;
    const bId = (await me(b.session).expect(200)).body.id;
    const both = await request(gh.url).get('/api/v1/users/me').set('Cookie', `${SESSION}=${a.session}`).set('Authorization', `Bearer ${b.session}`).expect(200);
    expect(both.body.id).toBe(bId);
    expect(both.body.id).not.toBe(aId);
    // No fallback: a bad bearer header is refused even with a good cookie.
    await request(gh.url).get('/api/v1/users/me').set('Cookie', `${SESSION}=${a.session}`).set('Authorization', 'Bearer bad.token.here').expect(401);
  });

  it('logout clears the cookies and returns the discovered end_session URL', async () => {
    const { session } = await signIn(`ivy-${Date.now()}`);
    const res = await request(gh.url).post('/api/v1/auth/logout').set('Cookie', `${SESSION}=${session}`).set('Origin', ORIGIN).expect(200);
    expect(setCookie(res, SESSION)).toMatch(/^gatehouse_session=;.*Expires=Thu, 01 Jan 1970/);
    expect(setCookie(res, TX)).toMatch(/^gatehouse_login=;.*Expires=Thu, 01 Jan 1970/);
    const logout = new URL(res.body.logoutUrl);
    expect(logout.origin + logout.pathname).toBe(`${issuer.issuer}/session/end`);
    expect(logout.searchParams.get('client_id')).toBe(OIDC_CLIENT_ID);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(FRONTEND);
    // A cross-site page cannot log the user out either.
    const forged = await request(gh.url).post('/api/v1/auth/logout').set('Cookie', `${SESSION}=${session}`).set('Origin', 'http://evil.test').expect(403);
    expect(setCookie(forged, SESSION)).toBeUndefined();
  });

  // Issue #9 item 16: logout ends the session server-side, not only in this browser.
  it('after logout, the old cookie value replayed (as a cookie or a bearer token) is 401; another session survives', async () => {
    const account = `jack-${Date.now()}`;
    const { session } = await signInActive(account);
    const { session: otherTab } = await signIn(account);
    await me(session).expect(200);
    await request(gh.url).post('/api/v1/auth/logout').set('Cookie', `${SESSION}=${session}`).set('Origin', ORIGIN).expect(200);
    const replayed = await me(session).expect(401);
    expect(replayed.body.error.code).toBe('AUTH_TOKEN_REVOKED');
    expect(logs.rejectionReason(replayed.body.error.requestId)).toBe('SESSION_REVOKED');
    await request(gh.url).get('/api/v1/users/me').set('Authorization', `Bearer ${session}`).expect(401);
    await me(otherTab).expect(200);
    // Logging out a dead or garbage cookie still just clears it.
    await request(gh.url).post('/api/v1/auth/logout').set('Cookie', `${SESSION}=${session}`).set('Origin', ORIGIN).expect(200);
    await request(gh.url).post('/api/v1/auth/logout').set('Cookie', `${SESSION}=garbage`).set('Origin', ORIGIN).expect(200);
  });

  it('status tells an anonymous caller that hosted login is offered', async () => {
    const res = await request(gh.url).get('/api/v1/auth/status').expect(200);
    expect(res.body).toEqual({ authenticated: false, via: null, provider: null, userId: null, status: null, role: null, hostedLogin: true });
  });

  it('AUTH_PROVIDER=oidc: the provider’s access tokens verify as bearer tokens (JWKS discovered), for OIDC_AUDIENCE only', async () => {
    const { session: accessToken } = await signInActive(`jack-${Date.now()}`);
    const who = await request(gh.url).get('/api/v1/probe/whoami').set('Authorization', `Bearer ${accessToken}`).expect(200);
    expect(who.body).toMatchObject({ provider: 'oidc', issuer: issuer.issuer, tokenUse: 'access' });
    // The same real token at a Gatehouse that expects another audience is refused.
    const otherLogs = new LogCapture();
    const other = await startTestApp({ ...env({ OIDC_AUDIENCE: 'urn:someone-else' }), LOG_LEVEL: 'info' }, { extra: [AuthProbeModule], logDestination: otherLogs.stream });
    try {
      const refused = await request(other.url).get('/api/v1/probe/whoami').set('Authorization', `Bearer ${accessToken}`).expect(401);
      expect(refused.body.error.code).toBe('AUTH_TOKEN_INVALID');
      // Nest's logger is process-wide: a second app in this process may log through the first one's destination.
      // The request id is unique, so the line found is this refusal's either way.
      const id = refused.body.error.requestId as string;
      expect(otherLogs.rejectionReason(id) ?? logs.rejectionReason(id)).toBe('AUDIENCE_MISMATCH');
    } finally {
      await other.close();
    }
  });
});
