import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const OIDC_CLIENT_ID = 'gatehouse-web';
export const OIDC_CLIENT_SECRET = 'gatehouse-web-secret-for-tests-0123456789';
export const OIDC_AUDIENCE = 'urn:gatehouse:api';

export interface OidcIssuerOptions {
  redirectUri: string;
  postLogoutRedirectUri: string;
}

/**
 * A real OpenID provider (the `oidc-provider` package) on loopback: discovery, JWKS, authorize with its development
 * interactions (login form + consent skipped for this first-party client), token endpoint with PKCE required and
 * single-use codes, end_session. Access tokens are RS256 JWTs for the resource OIDC_AUDIENCE, as an API gateway
 * would configure a partner SSO for Gatehouse.
 */
export class OidcIssuer {
  base = '';
  private server?: Server;

  constructor(private readonly opts: OidcIssuerOptions) {}

  get issuer(): string {
    return this.base;
  }

  async start(): Promise<this> {
    this.server = createServer();
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const provider = new Provider(this.base, {
      clients: [
        {
          client_id: OIDC_CLIENT_ID,
          client_secret: OIDC_CLIENT_SECRET,
          redirect_uris: [this.opts.redirectUri],
          post_logout_redirect_uris: [this.opts.postLogoutRedirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' }] },
      cookies: { keys: ['oidc-provider-cookie-key-for-tests'] },
      pkce: { required: () => true },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      // Profile claims in the ID token itself (Gatehouse provisions from it), not only at userinfo.
      conformIdTokenClaims: false,
      findAccount: (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: () => ({ sub, email: `${sub}@partner.example`, email_verified: true, name: `User ${sub}` }),
      }),
      // First-party client: no consent screen (the login form of devInteractions still runs).
      loadExistingGrant: async (ctx: { oidc: { client: { clientId: string }; session: { accountId: string } } }) => {
        const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope('openid email profile');
        grant.addResourceScope(OIDC_AUDIENCE, 'api');
        await grant.save();
        return grant;
      },
      features: {
        devInteractions: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => OIDC_AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'api', audience: OIDC_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } } }),
        },
      },
    });
    this.server.on('request', provider.callback());
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A browser's cookie jar for one origin, enough for a redirect dance driven by hand. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Plays the user at the provider: follows the authorize URL, submits the devInteractions login form for `accountId`
 * and follows redirects until the provider sends the browser back to `redirectUri`. Returns that callback URL.
 */
export async function signInAt(authorizationUrl: string, accountId: string, redirectUri: string): Promise<URL> {
  const jar = new CookieJar();
  let next = new URL(authorizationUrl);
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, {
      method: body ? 'POST' : 'GET',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
      redirect: 'manual',
    });
    jar.store(res);
    body = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const target = new URL(location, next);
      if (target.href.startsWith(redirectUri)) return target;
      next = target;
      continue;
    }
    const html = await res.text();
    if (res.status === 200 && html.includes('name="login"')) {
      // The devInteractions login form posts back to its own URL.
      body = new URLSearchParams({ prompt: 'login', login: accountId, password: 'any' });
      continue;
    }
    throw new Error(`unexpected answer from the provider: ${res.status} ${html.slice(0, 300)}`);
  }
  throw new Error('too many redirects at the provider');
}
