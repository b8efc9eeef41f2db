import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
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
import { assertRole, assertStatusAllowed } from './access-rules';
import { bearerToken } from './bearer';

export type AuthenticatedRequest = RequestWithToken & { principal?: Principal; accessToken?: string };

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
 * The global guard, closed by default: every route authenticates unless @Public(). It only extracts the token,
 * has it verified (the cache of verified tokens first, else passport-jwt over the one TokenVerifier), resolves the
 * principal (user state, revocation) and applies the route's token-use, status and role rules.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly principals: PrincipalResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const optional = this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH_KEY, targets) ?? false;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();

    let principal: Principal;
    try {
      const token = bearerToken(req.headers.authorization);
      if (token === undefined) {
        if (this.config.allowDevAuthBypass && !this.config.isProduction) {
          this.logger.warn({ path: req.path }, 'ALLOW_DEV_AUTH_BYPASS: serving a request as the development admin');
          req.principal = DEV_PRINCIPAL;
          return true;
        }
        if (optional) return true;
        throw new AuthenticationError('AUTH_TOKEN_MISSING');
      }
      req.gatehouseToken = token;
      const verified = this.verifier.cached(token) ?? (await this.viaPassport(req, res));
      principal = await this.principals.resolve(verified);
      if (principal.tokenUse === 'id' && !this.reflector.getAllAndOverride<boolean>(ACCEPT_ID_TOKEN_KEY, targets)) {
        throw new TokenRejection('AUTH_TOKEN_INVALID', 'ID token on an access-token route');
      }
      req.accessToken = token;
    } catch (err) {
      if (!(err instanceof TokenRejection)) throw err;
      // The client sees one code and one message; the precise reason stays in the log.
      this.logger.log({ code: err.code, reason: err.reason, path: req.path }, 'token rejected');
      throw new AuthenticationError(err.code, err.reason);
    }

    assertStatusAllowed(principal, this.reflector.getAllAndOverride<UserStatus[]>(ALLOW_STATUS_KEY, targets) ?? [], optional);
    assertRole(principal, this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets));
    req.principal = principal;
    return true;
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
