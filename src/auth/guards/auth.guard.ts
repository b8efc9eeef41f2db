import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import passport from 'passport';
import { ACCEPT_ID_TOKEN_KEY, ALLOW_STATUS_KEY, OPTIONAL_AUTH_KEY, ROLES_KEY } from '../../common/decorators/auth.decorators';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { AuthenticationError } from '../../common/errors/app-error';
import type { Principal } from '../../common/principal';
import type { UserStatus } from '../../common/user-status';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig, Role } from '../../config/config.types';
import { JWT_STRATEGY, RequestWithToken } from '../jwt.strategy';
import { PrincipalResolver } from '../principal.resolver';
import { TokenVerifier, rejectionFrom } from '../tokens/token-verifier';
import { TokenRejection, VerifiedToken } from '../tokens/verified-token';
import { sessionCookieNames } from '../hosted/session-cookies';
import { assertRole, assertStatusAllowed, assertTokenUse } from './access-rules';
import { CredentialSource, requestCredential } from './request-credential';

/** A route's auth metadata, read once per handler: the reflector walk is not free on every request. */
interface RouteAuth {
  isPublic: boolean;
  optional: boolean;
  acceptIdToken: boolean;
  allowStatus: UserStatus[];
  roles?: Role[];
}

export type AuthenticatedRequest = RequestWithToken & { principal?: Principal; accessToken?: string; credentialSource?: CredentialSource };

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
 * The global guard, closed by default: every route authenticates unless @Public(). It only extracts the token (the
 * bearer header, else the hosted-login session cookie, which holds an issuer access token and passes the Origin rule),
 * has it verified (the cache of verified tokens first, else passport-jwt over the one TokenVerifier), resolves the
 * principal (user state, revocation) and applies the route's token-use, status and role rules.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);
  private readonly routes = new WeakMap<object, RouteAuth>();
  private readonly sessionCookie: string;
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly principals: PrincipalResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sessionCookie = sessionCookieNames(config.isProduction).session;
    this.allowedOrigins = new Set(config.corsOrigins);
  }

  /** Synchronous when the token and the user are both cached (the common case); async only on a miss. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const route = this.routeAuth(context);
    if (route.isPublic) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    try {
      // The bearer header, else the hosted-login session cookie (which must pass the Origin rule when it changes state).
      const credential = requestCredential(req, this.sessionCookie, this.allowedOrigins);
      if (credential === undefined) return this.anonymous(req, route);
      const token = credential.token;
      req.gatehouseToken = token;
      req.credentialSource = credential.via;
      const verified = this.verifier.cached(token);
      const principal = verified && this.principals.peek(verified);
      if (principal) return this.admit(req, token, principal, route);
      return this.slowPath(req, context.switchToHttp().getResponse<Response>(), token, route, verified).catch((err: unknown) => {
        throw this.rejected(err, req);
      });
    } catch (err) {
      throw this.rejected(err, req);
    }
  }

  private async slowPath(req: AuthenticatedRequest, res: Response, token: string, route: RouteAuth, verified?: VerifiedToken): Promise<boolean> {
    const v = verified ?? (await this.viaPassport(req, res));
    assertTokenUse(v.tokenUse, route.acceptIdToken);
    const principal = await this.principals.resolve(v);
    return this.admit(req, token, principal, route);
  }

  private anonymous(req: AuthenticatedRequest, route: RouteAuth): boolean {
    if (this.config.allowDevAuthBypass && !this.config.isProduction) {
      this.logger.warn({ path: req.routeOptions.url }, 'ALLOW_DEV_AUTH_BYPASS: serving a request as the development admin');
      req.principal = DEV_PRINCIPAL;
      return true;
    }
    if (route.optional) return true;
    throw new AuthenticationError('AUTH_TOKEN_MISSING');
  }

  private admit(req: AuthenticatedRequest, token: string, principal: Principal, route: RouteAuth): boolean {
    assertTokenUse(principal.tokenUse, route.acceptIdToken);
    assertStatusAllowed(principal, route.allowStatus, route.optional);
    assertRole(principal, route.roles);
    req.principal = principal;
    req.accessToken = token;
    return true;
  }

  /** The client sees one code and one message per failure class; the precise reason stays in the log. */
  private rejected(err: unknown, req: AuthenticatedRequest): unknown {
    if (!(err instanceof TokenRejection)) return err;
    // `reason` is the closed vocabulary (RejectReason: countable, asserted by the attack tests), `detail` free text.
    this.logger.log({ requestId: req.id, code: err.code, reason: err.reason, detail: err.detail, path: req.routeOptions.url }, 'token rejected');
    return new AuthenticationError(err.code, err.message);
  }

  private routeAuth(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      const targets = [handler, context.getClass()];
      route = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        optional: this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH_KEY, targets) ?? false,
        acceptIdToken: this.reflector.getAllAndOverride<boolean>(ACCEPT_ID_TOKEN_KEY, targets) ?? false,
        allowStatus: this.reflector.getAllAndOverride<UserStatus[]>(ALLOW_STATUS_KEY, targets) ?? [],
        roles: this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets),
      };
      this.routes.set(handler, route);
    }
    return route;
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
