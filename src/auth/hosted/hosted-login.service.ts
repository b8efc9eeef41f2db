import { Inject, Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { AuthenticationError } from '../../common/errors/app-error';
import { CONSOLE_PATH } from '../../common/http/content-security';
import type { Principal } from '../../common/principal';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { PrincipalResolver } from '../principal.resolver';
import { SESSION_DIRECTORY, type SessionDirectory } from '../sessions/session-directory';
import { SessionRevocations, sessionKeys } from '../sessions/session-revocations';
import { TokenVerifier } from '../tokens/token-verifier';
import { RejectReason, TokenRejection, VerifiedToken } from '../tokens/verified-token';
import { HostedLoginFailedError, HostedLoginIssuerDownError, HostedLoginUnavailableError } from './hosted-login.errors';
import type { HostedReturn } from './hosted-login.dto';
import { HostedTarget, hostedTarget } from './hosted-target';
import { LoginTransactionSealer } from './login-transaction';
import { OidcClientFactory } from './oidc-client.factory';
import { LOGIN_TRANSACTION_TTL_S } from '../credentials/session-cookies';

export interface HostedLoginStart {
  authorizationUrl: string;
  /** Sealed login transaction, for the transaction cookie. */
  transaction: string;
}

export interface HostedLoginResult {
  /** The issuer's access token: the session cookie's value. */
  sessionToken: string;
  /** Seconds until the access token expires (the session cookie lives exactly as long). */
  maxAgeS: number;
  principal: Principal;
  /** Where the browser goes next: the console when the login was started from it, else the front end. */
  returnUrl: string;
}

export interface HostedStatus {
  authenticated: boolean;
  via: 'bearer' | 'cookie' | null;
  provider: string | null;
  userId: string | null;
  status: string | null;
  role: string | null;
  /** Whether this deployment offers hosted login at all (the front end shows or hides its button). */
  hostedLogin: boolean;
}

/**
 * Authorization code + PKCE at Cognito's Hosted UI or an OIDC issuer, through openid-client. The session this creates
 * is the issuer's own access token in an HTTP-only cookie, which the global guard verifies with the same
 * TokenVerifier and PrincipalResolver as a bearer header: see `complete` for why.
 */
@Injectable()
export class HostedLoginService {
  private readonly logger = new Logger(HostedLoginService.name);
  private readonly target?: HostedTarget;
  private readonly sealer?: LoginTransactionSealer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: OidcClientFactory,
    private readonly verifier: TokenVerifier,
    private readonly principals: PrincipalResolver,
    private readonly revocations: SessionRevocations,
    @Inject(SESSION_DIRECTORY) private readonly sessions: SessionDirectory,
  ) {
    this.target = hostedTarget(config);
    if (this.target && config.auth.hosted.sessionSecret) this.sealer = new LoginTransactionSealer(config.auth.hosted.sessionSecret);
  }

  get available(): boolean {
    return this.target !== undefined;
  }

  /** The issuer's authorize URL with S256 PKCE, state and nonce; the three secrets go into the sealed transaction. */
  async start(returnTo?: HostedReturn): Promise<HostedLoginStart> {
    const { target, sealer } = this.require();
    const configuration = await this.configuration(target);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeChallenge = await oidc.calculatePKCECodeChallenge(verifier);
    let authorizationUrl: URL;
    try {
      authorizationUrl = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: this.config.auth.hosted.redirectUri,
        response_type: 'code',
        scope: target.scopes,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        state,
        nonce,
      });
    } catch (err) {
      // E.g. an http:// authorize endpoint in production (openid-client allows https only): the sign-in service is
      // unusable as configured; say so with a 503 rather than a 500.
      this.logger.warn({ issuer: target.issuer, reason: describe(err) }, 'hosted login: cannot build the authorize URL');
      throw new HostedLoginIssuerDownError(describe(err));
    }
    const transaction = sealer.seal({ issuer: target.issuer, verifier, state, nonce, expiresAt: Date.now() + LOGIN_TRANSACTION_TTL_S * 1000, ...(returnTo ? { returnTo } : {}) });
    return { authorizationUrl: authorizationUrl.href, transaction };
  }

  /**
   * The callback: state, code exchange with the PKCE verifier, ID token (signature, iss, aud, exp, nonce), then the
   * access token through the one TokenVerifier, and the user provisioned just in time by (iss, sub).
   *
   * Session design: the cookie holds the issuer's access token itself (no server-side session table). The guard then
   * verifies it exactly like a bearer token, so the issuer allow-list, claim rules, revocation watermark, status gates
   * and roles apply identically and the verified-token cache keeps the fast path; sign-out-everywhere and suspension
   * end cookie sessions too. The cost: a session lasts as long as the access token (no refresh here), and logout
   * clears the cookie and ends the session server-side (endSession), so a copied cookie value stops working at
   * Gatehouse too; services verifying the issuer's tokens offline still accept it until `exp`.
   */
  async complete(query: string, sealedTransaction: unknown): Promise<HostedLoginResult> {
    const { target, sealer } = this.require();
    const tx = sealer.open(sealedTransaction);
    if (!tx) throw new HostedLoginFailedError('login transaction cookie missing, expired or tampered with');
    if (tx.issuer !== target.issuer) throw new HostedLoginFailedError('login transaction started at another issuer');
    const configuration = await this.configuration(target);

    const callbackUrl = new URL(this.config.auth.hosted.redirectUri);
    callbackUrl.search = query;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw new HostedLoginFailedError(describe(err));
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new HostedLoginFailedError('no ID token');

    let verified: VerifiedToken;
    try {
      verified = await this.verifier.verify(tokens.access_token);
    } catch (err) {
      // An opaque access token or one for another audience: the issuer's client is misconfigured for Gatehouse.
      const refusal = err instanceof TokenRejection ? { reason: err.reason, detail: err.detail } : { reason: RejectReason.VERIFICATION_FAILED, detail: describe(err) };
      this.logger.warn(refusal, 'hosted login: the issuer returned an access token Gatehouse cannot verify');
      throw new HostedLoginFailedError(`access token refused: ${describe(err)}`);
    }
    if (verified.issuer !== idClaims.iss || verified.subject !== idClaims.sub) {
      throw new HostedLoginFailedError('access token and ID token name different users');
    }

    // Access tokens rarely carry profile claims: provision from the checked ID token's.
    const profile: VerifiedToken = {
      ...verified,
      email: typeof idClaims.email === 'string' ? idClaims.email : verified.email,
      emailVerified: idClaims.email_verified === true || idClaims.email_verified === 'true' || verified.emailVerified,
      name: typeof idClaims.name === 'string' ? idClaims.name : verified.name,
    };
    let principal: Principal;
    try {
      principal = await this.principals.resolve(profile);
    } catch (err) {
      if (err instanceof TokenRejection) {
        this.logger.log({ code: err.code, reason: err.reason, detail: err.detail }, 'hosted login: token rejected');
        throw new AuthenticationError(err.code, err.message);
      }
      throw err;
    }
    const maxAgeS = Math.max(0, verified.expiresAt - Math.floor(Date.now() / 1000));
    const returnUrl = tx.returnTo === 'console' ? `${this.config.publicUrl}${CONSOLE_PATH}/` : this.frontendUrl();
    return { sessionToken: tokens.access_token, maxAgeS, principal, returnUrl };
  }

  /**
   * Logout ends the cookie's session at Gatehouse, not only in this browser: its token's session (`sid`, Cognito's
   * `origin_jti`), `jti` and hash are revoked until its `exp`, on every instance. A token that no longer verifies
   * (expired, forged, already revoked) has nothing left to end.
   */
  async endSession(token: string): Promise<void> {
    let verified: VerifiedToken;
    let principal: Principal;
    try {
      verified = await this.verifier.verify(token);
      principal = await this.principals.resolve(verified);
    } catch (err) {
      if (err instanceof TokenRejection || err instanceof AuthenticationError) return;
      throw err;
    }
    await this.revocations.revoke(principal.userId, sessionKeys(verified), 'logout', new Date((verified.expiresAt + this.config.auth.clockSkewS) * 1000));
    // A local cookie session (POST /auth/session/login) began a refresh family nobody holds the token of: end it too,
    // so it leaves the session lists instead of showing as live until it expires. Cognito and OIDC sessions have no
    // per-session record here; the keys above and the issuer's logout URL end them.
    if (verified.sessionId && this.sessions.provider === 'local') await this.sessions.revoke(principal.userId, verified.sessionId, 'logout');
    this.logger.log({ userId: principal.userId }, 'hosted-login session ended');
  }

  /**
   * Where to send the browser after the cookies are cleared, to end the issuer's own session too: Cognito's
   * `<domain>/logout?client_id=…&logout_uri=…`, an OIDC issuer's discovered `end_session_endpoint`, else null.
   */
  async logoutUrl(): Promise<string | null> {
    const target = this.target;
    if (!target) return null;
    const returnTo = this.frontendUrl();
    if (target.kind === 'cognito') {
      const domain = target.cognitoDomain ?? (await this.discoveredOrigin(target));
      if (!domain) return null;
      const url = new URL(`${domain}/logout`);
      url.searchParams.set('client_id', target.clientId);
      url.searchParams.set('logout_uri', returnTo);
      return url.href;
    }
    const configuration = await this.configuration(target).catch(() => undefined);
    if (!configuration?.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(configuration, { post_logout_redirect_uri: returnTo }).href;
  }

  status(principal: Principal | undefined, via: 'bearer' | 'cookie' | undefined): HostedStatus {
    return {
      authenticated: principal !== undefined,
      via: principal ? (via ?? null) : null,
      provider: principal?.provider ?? null,
      userId: principal?.userId ?? null,
      status: principal?.status ?? null,
      role: principal?.role ?? null,
      hostedLogin: this.available,
    };
  }

  /** Where the browser lands after login and logout. */
  frontendUrl(): string {
    return this.config.frontendUrl ?? `${this.config.publicUrl}/`;
  }

  private require(): { target: HostedTarget; sealer: LoginTransactionSealer } {
    if (!this.target || !this.sealer) throw new HostedLoginUnavailableError(`provider ${this.config.auth.provider}`);
    return { target: this.target, sealer: this.sealer };
  }

  private async configuration(target: HostedTarget): Promise<oidc.Configuration> {
    try {
      return await this.clients.get(target);
    } catch (err) {
      this.logger.warn({ issuer: target.issuer, reason: describe(err) }, 'hosted login: issuer discovery failed');
      throw new HostedLoginIssuerDownError(describe(err));
    }
  }

  private async discoveredOrigin(target: HostedTarget): Promise<string | undefined> {
    const configuration = await this.clients.get(target).catch(() => undefined);
    const endpoint = configuration?.serverMetadata().authorization_endpoint;
    return endpoint ? new URL(endpoint).origin : undefined;
  }
}

/** A log line for an openid-client failure: its class, code and message (never shown to clients). */
function describe(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError) return `${err.error}: ${err.error_description ?? ''}`;
  if (err instanceof oidc.AuthorizationResponseError) return `authorization error ${err.error}: ${err.error_description ?? ''}`;
  if (err instanceof TokenRejection) return err.message;
  const e = err as { name?: string; code?: string; message?: string; cause?: unknown };
  const line = `${e?.name ?? 'Error'}${e?.code ? ` ${e.code}` : ''}: ${e?.message ?? String(err)}`;
  // openid-client wraps the precise check that failed (state, nonce, iss, …) as the cause.
  return e?.cause instanceof Error ? `${line} (${describe(e.cause)})` : line;
}
