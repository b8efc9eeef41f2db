import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ACCESS_EXTENSION, ALLOW_STATUS_EXTENSION, ROLES_EXTENSION } from '../openapi/api-contract.decorators';
import type { Role } from '../../config/config.types';
import type { Principal } from '../principal';
import type { UserStatus } from '../user-status';

export const ROLES_KEY = 'gatehouse:roles';
export const ALLOW_STATUS_KEY = 'gatehouse:allow-status';
export const OPTIONAL_AUTH_KEY = 'gatehouse:optional-auth';
export const ACCEPT_ID_TOKEN_KEY = 'gatehouse:accept-id-token';

/** Only callers with one of these roles pass (checked after authentication). The decorators that decide access also mark the OpenAPI operation. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(ROLES_KEY, roles), ApiExtension(ROLES_EXTENSION, roles));

/** Statuses allowed besides `active` (the default for every authenticated route). */
export const AllowStatus = (...statuses: UserStatus[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ALLOW_STATUS_KEY, statuses), ApiExtension(ALLOW_STATUS_EXTENSION, statuses));

/** Anonymous callers are served; a presented token must still be valid, and its principal is attached. */
export const OptionalAuth = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(OPTIONAL_AUTH_KEY, true), ApiExtension(ACCESS_EXTENSION, 'optional'));

/** Cognito ID tokens are accepted here as well as access tokens (the default is access tokens only). */
export const AcceptIdToken = (): MethodDecorator & ClassDecorator => SetMetadata(ACCEPT_ID_TOKEN_KEY, true);

/** The authenticated principal (undefined on an @OptionalAuth route called anonymously). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  if (ctx.getType() === 'http') return ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  return ctx.switchToWs().getClient<{ data?: { principal?: Principal } }>().data?.principal;
});
