import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiResponse } from '@nestjs/swagger';
import type { ErrorCode } from '../errors/error-codes';

/**
 * Extension keys the route decorators leave on each OpenAPI operation. `completeErrorContract` reads them once the
 * document is built: it turns the codes into responses and the access rule into the operation's `security`, and
 * drops the `x-gatehouse-*` keys. The document thereby describes the routes from the same decorators the guard reads.
 */
export const ERROR_CODES_EXTENSION = 'x-error-codes';
export const ACCESS_EXTENSION = 'x-gatehouse-access';
export const ROLES_EXTENSION = 'x-gatehouse-roles';
export const ALLOW_STATUS_EXTENSION = 'x-gatehouse-allow-status';

/**
 * The codes this operation can answer besides those its traits imply (authentication, status gate, role, body and
 * parameter validation, INTERNAL_ERROR: see error-contract.ts). Each becomes a response of its status
 * (ERROR_STATUS) with the shared error schema. `@ApiErrors()` with no codes says "nothing beyond the implied ones";
 * a route without the decorator fails test/e2e/openapi-contract.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator {
  return ApiExtension(ERROR_CODES_EXTENSION, [...new Set(codes)]) as MethodDecorator;
}

/** A redirect answer: its status and the Location header (the body is empty). */
export function ApiRedirect(status: 302 | 303, description: string): MethodDecorator {
  return applyDecorators(
    ApiResponse({ status, description, headers: { Location: { description: 'Where the browser goes next', schema: { type: 'string', format: 'uri' } } } }),
  ) as MethodDecorator;
}
