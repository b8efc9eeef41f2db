import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AuthenticationError } from '../common/errors/app-error';
import type { Principal } from '../common/principal';
import type { UserStatus } from '../common/user-status';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, Role } from '../config/config.types';
import { assertRole, assertStatusAllowed, assertTokenUse } from './guards/access-rules';
import type { RequestCredential } from './credentials/request-credential';
import { PrincipalResolver } from './principal.resolver';
import { SESSION_ADMISSION, type SessionAdmission } from './sessions/session-admission';
import { TokenVerifier } from './tokens/token-verifier';
import { TokenRejection, type VerifiedToken } from './tokens/verified-token';

/** A presented credential: a bearer token or the hosted-login session cookie's token (a socket handshake's too). */
export type Credential = RequestCredential;

/** What an entrance (an HTTP route, a socket handshake or message, a proxied route) asks of its caller. */
export interface RouteRules {
  /** Nobody is authenticated: the credential is not even read. */
  readonly public?: boolean;
  /** Anonymous callers are served (no principal); a credential that is presented is still checked in full. */
  readonly optional?: boolean;
  /** ID tokens are accepted (Cognito ID tokens carry profile claims); otherwise access tokens only. */
  readonly acceptIdToken?: boolean;
  /** Statuses admitted besides `active`. */
  readonly allowStatus?: readonly UserStatus[];
  /** Roles admitted; none means any role. */
  readonly roles?: readonly Role[];
}

/**
 * Where a refusal happened, for its log line: the HTTP request itself fits (its id and route), so the hot path
 * allocates nothing for it; other entrances pass their own request id.
 */
export interface RefusalSite {
  readonly id?: string;
  readonly routeOptions?: { readonly url?: string };
}

/** How a token is verified on the slow path: the TokenVerifier, or an adapter of it (the HTTP guard's passport-jwt). */
export type VerifyToken = (token: string) => Promise<VerifiedToken>;

/** The development admin principal of ALLOW_DEV_AUTH_BYPASS (never available in production: config refuses it). */
export const DEV_PRINCIPAL: Principal = Object.freeze({
  userId: '00000000-0000-4000-8000-000000000000',
  issuer: 'urn:gatehouse:dev-bypass',
  subject: 'dev-admin',
  email: 'dev-admin@localhost',
  role: 'admin',
  groups: ['admin'],
  organizationId: null,
  status: 'active',
  provider: 'dev',
  tokenUse: 'dev',
  scopes: [],
}) as Principal;

/**
 * The one admission decision for every entrance: the HTTP guard, the socket handshake and the gateway call it with
 * the credential they extracted and the rules of what is being entered. The steps: verify the token (TokenVerifier),
 * refuse an ID token where only access tokens go (before the principal is resolved: resolving provisions, and a
 * refused token must change nothing), resolve the principal (user row, revocation watermark, revoked sessions, role),
 * then the status gate and the roles.
 *
 * Two paths with the same rules: `cached` answers synchronously when the verified token and its user are both in
 * memory (no await, no database, no crypto: the hot path), `authenticate` does the full work. Every refusal is an
 * AppError with a stable code (401 AUTH_TOKEN_*, 403 USER_* / ONBOARDING_INCOMPLETE / FORBIDDEN); the precise reason
 * of a token refusal goes to the log only.
 */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger(Authenticator.name);
  private readonly devBypass: boolean;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly principals: PrincipalResolver,
    @Inject(APP_CONFIG) config: AppConfig,
    /** The provider's once-per-session check (Cognito: #20.4), when it has one. */
    @Optional() @Inject(SESSION_ADMISSION) private readonly sessions?: SessionAdmission,
  ) {
    this.devBypass = config.allowDevAuthBypass && !config.isProduction;
  }

  /**
   * The synchronous fast path. The admitted principal when the token was verified before and its user is cached;
   * undefined on a miss (then call `authenticate`). A refusal is thrown here just as on the slow path.
   */
  cached(credential: Credential, rules: RouteRules, site?: RefusalSite): Principal | undefined {
    if (rules.public) return undefined;
    try {
      const verified = this.verifier.cached(credential.token);
      const principal = verified && this.principals.peek(verified);
      // A session the provider's hook has not passed yet goes to the slow path, which checks it once.
      if (!principal || (this.sessions && !this.sessions.passed(verified))) return undefined;
      return this.admit(principal, rules);
    } catch (err) {
      throw this.refusal(err, site);
    }
  }

  /**
   * `cached` for a token an entrance holds already verified (a socket): no digest, no signature. Undefined on a miss
   * (an expired token included, which `readmit` then refuses with its code).
   */
  cachedVerified(verified: VerifiedToken, rules: RouteRules, site?: RefusalSite): Principal | undefined {
    if (rules.public || verified.expiresAt * 1000 <= Date.now()) return undefined;
    try {
      const principal = this.principals.peek(verified);
      if (!principal || (this.sessions && !this.sessions.passed(verified))) return undefined;
      return this.admit(principal, rules);
    } catch (err) {
      throw this.refusal(err, site);
    }
  }

  /** The full path, for any credential or none. Resolves to undefined only for public rules and admitted anonymous callers. */
  async authenticate(credential: Credential | undefined, rules: RouteRules, verify?: VerifyToken, site?: RefusalSite): Promise<Principal | undefined> {
    if (rules.public) return undefined;
    if (credential === undefined) return this.anonymous(rules);
    let verified: VerifiedToken;
    try {
      verified = this.verifier.cached(credential.token) ?? (await (verify ?? ((t: string) => this.verifier.verify(t)))(credential.token));
    } catch (err) {
      throw this.refusal(err, site);
    }
    return this.admitVerified(verified, rules, site);
  }

  /**
   * The verified token behind a credential, for entrances that hold it instead of the raw token: from the
   * verified-token cache (synchronously: the credential was just admitted), else by full verification.
   */
  verifiedToken(credential: Credential, site?: RefusalSite): VerifiedToken | Promise<VerifiedToken> {
    return this.verifier.cached(credential.token) ?? this.verifier.verify(credential.token).catch((err: unknown) => Promise.reject(this.refusal(err, site)));
  }

  /**
   * Admission again for a token that passed full verification before (a held socket when its user changes): its
   * signature does not change, so everything else is checked as `authenticate` does (exp, token use, the user row,
   * watermark, revoked sessions, status, roles). Lets an entrance keep the verified token instead of the raw one.
   */
  async readmit(verified: VerifiedToken, rules: RouteRules, site?: RefusalSite): Promise<Principal | undefined> {
    if (rules.public) return undefined;
    try {
      this.verifier.assertUnexpired(verified);
    } catch (err) {
      throw this.refusal(err, site);
    }
    return this.admitVerified(verified, rules, site);
  }

  /** The steps after verification: token use, the principal (user row, watermark, revoked sessions), status, roles. */
  private async admitVerified(verified: VerifiedToken, rules: RouteRules, site?: RefusalSite): Promise<Principal | undefined> {
    if (rules.public) return undefined;
    try {
      assertTokenUse(verified.tokenUse, rules.acceptIdToken === true);
      const principal = await this.principals.resolve(verified);
      if (this.sessions && !this.sessions.passed(verified)) await this.sessions.check(verified, principal);
      return this.admit(principal, rules);
    } catch (err) {
      throw this.refusal(err, site);
    }
  }

  /** A caller without a credential: the development admin under ALLOW_DEV_AUTH_BYPASS, nobody where allowed, else 401. */
  anonymous(rules: RouteRules): Principal | undefined {
    if (rules.public) return undefined;
    if (this.devBypass) {
      this.logger.warn('ALLOW_DEV_AUTH_BYPASS: serving an anonymous caller as the development admin');
      return DEV_PRINCIPAL;
    }
    if (rules.optional) return undefined;
    throw new AuthenticationError('AUTH_TOKEN_MISSING');
  }

  private admit(principal: Principal, rules: RouteRules): Principal {
    assertTokenUse(principal.tokenUse, rules.acceptIdToken === true);
    assertStatusAllowed(principal, rules.allowStatus ?? [], rules.optional === true);
    assertRole(principal, rules.roles);
    return principal;
  }

  /**
   * The client sees one code and one message per failure class; the precise reason stays in the log. Public for the
   * entrances' own credential extraction (a malformed session cookie is a token refusal too).
   */
  refusal(err: unknown, site?: RefusalSite): unknown {
    if (!(err instanceof TokenRejection)) return err;
    // `reason` is the closed vocabulary (RejectReason: countable, asserted by the attack tests), `detail` free text.
    this.logger.log({ requestId: site?.id, code: err.code, reason: err.reason, detail: err.detail, path: site?.routeOptions?.url }, 'token rejected');
    return new AuthenticationError(err.code, err.message);
  }
}
