import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IS_PUBLIC } from '../../common/decorators/public.decorator';
import { AuthenticationError } from '../../common/errors/app-error';
import type { Principal } from '../../common/principal';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';

export type AuthenticatedRequest = Request & { principal?: Principal };

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

/** Global guard: closed by default. Routes opt out with @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    if (!header && this.config.allowDevAuthBypass && !this.config.isProduction) {
      this.logger.warn({ path: req.path }, 'ALLOW_DEV_AUTH_BYPASS: serving a request as the development admin');
      req.principal = DEV_PRINCIPAL;
      return true;
    }
    if (!header) throw new AuthenticationError('AUTH_TOKEN_MISSING');
    throw new AuthenticationError('AUTH_TOKEN_INVALID', 'no verifier configured yet');
  }
}
