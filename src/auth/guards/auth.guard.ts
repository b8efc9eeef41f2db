import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import passport from 'passport';
import { ACCEPT_ID_TOKEN_KEY, ALLOW_STATUS_KEY, OPTIONAL_AUTH_KEY, ROLES_KEY } from '../../common/decorators/auth.decorators';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import type { Principal } from '../../common/principal';
import type { UserStatus } from '../../common/user-status';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig, Role } from '../../config/config.types';
import { Authenticator, type RouteRules } from '../authenticator';
import { JWT_STRATEGY, RequestWithToken } from '../jwt.strategy';
import { rejectionFrom } from '../tokens/token-verifier';
import { VerifiedToken } from '../tokens/verified-token';
import { allowedOrigins } from '../credentials/allowed-origins';
import { sessionCookieNames } from '../credentials/session-cookies';
import { bearerCandidate } from '../credentials/bearer';
import { CredentialSource, RequestCredential, requestCredential } from '../credentials/request-credential';

export { DEV_PRINCIPAL } from '../authenticator';

export type AuthenticatedRequest = RequestWithToken & { principal?: Principal; accessToken?: string; credentialSource?: CredentialSource };

/**
 * The fields the guard sets on an authenticated request. The composition root declares them on Fastify's request
 * (decorateRequest, undefined until set) so every request is built with them: added one by one in the guard, they
 * would give authenticated requests another shape than the rest (a property array allocated per request, and the
 * code every request runs through seeing two shapes).
 */
export const AUTH_REQUEST_FIELDS = ['gatehouseToken', 'credentialSource', 'principal', 'accessToken'] as const;

/**
 * The global guard, closed by default: every route authenticates unless @Public(). It only reads the route's rules
 * (once per handler), extracts the credential (the bearer header, else the hosted-login session cookie, which passes
 * the Origin rule) and hands both to the one Authenticator, which every entrance shares. The slow path verifies
 * through passport-jwt (the REST adapter of the one TokenVerifier).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly routes = new WeakMap<object, RouteRules>();
  private readonly sessionCookie: string;
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sessionCookie = sessionCookieNames(config.isProduction).session;
    this.allowedOrigins = allowedOrigins(config);
  }

  /** Synchronous when the token and the user are both cached (the common case); async only on a miss. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rules = this.routeRules(context);
    if (rules.public) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // The hot path: a bearer token verified before is found by its hash alone (bearerCandidate says why the header's
    // character rule need not run again); anything else, a miss included, takes the full extraction below.
    const candidate = bearerCandidate(req.headers.authorization);
    if (candidate !== undefined) {
      const hot: RequestCredential = { token: candidate, via: 'bearer' };
      const principal = this.authenticator.cached(hot, rules, req);
      if (principal) {
        req.gatehouseToken = candidate;
        req.credentialSource = 'bearer';
        return this.attach(req, hot, principal);
      }
    }
    let credential: RequestCredential | undefined;
    try {
      credential = requestCredential(req, this.sessionCookie, this.allowedOrigins);
    } catch (err) {
      throw this.authenticator.refusal(err, req);
    }
    if (credential === undefined) return this.attach(req, undefined, this.authenticator.anonymous(rules));
    req.gatehouseToken = credential.token;
    req.credentialSource = credential.via;
    const principal = this.authenticator.cached(credential, rules, req);
    if (principal) return this.attach(req, credential, principal);
    const res = context.switchToHttp().getResponse<Response>();
    return this.authenticator.authenticate(credential, rules, () => this.viaPassport(req, res), req).then((p) => this.attach(req, credential, p));
  }

  private attach(req: AuthenticatedRequest, credential: RequestCredential | undefined, principal: Principal | undefined): true {
    // The request context (audit trail, currentPrincipal) reads the principal from here.
    if (principal) req.principal = principal;
    if (credential) req.accessToken = credential.token;
    return true;
  }

  private routeRules(context: ExecutionContext): RouteRules {
    const handler = context.getHandler();
    let rules = this.routes.get(handler);
    if (!rules) {
      const targets = [handler, context.getClass()];
      rules = Object.freeze({
        public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        optional: this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH_KEY, targets) ?? false,
        acceptIdToken: this.reflector.getAllAndOverride<boolean>(ACCEPT_ID_TOKEN_KEY, targets) ?? false,
        allowStatus: this.reflector.getAllAndOverride<UserStatus[]>(ALLOW_STATUS_KEY, targets) ?? [],
        roles: this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets),
      });
      this.routes.set(handler, rules);
    }
    return rules;
  }

  private viaPassport(req: Request, res: Response): Promise<VerifiedToken> {
    return new Promise((resolve, reject) => {
      const handler = passport.authenticate(JWT_STRATEGY, { session: false }, (err: unknown, user: VerifiedToken | false, info: unknown) => {
        if (err) return reject(rejectionFrom(err));
        if (!user) return reject(rejectionFrom(info));
        resolve(user);
      }) as (req: Request, res: Response, next: (err?: unknown) => void) => void;
      handler(req, res, (err?: unknown) => reject(rejectionFrom(err)));
    });
  }
}
