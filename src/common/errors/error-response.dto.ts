import { applyDecorators } from '@nestjs/common';
import { ApiDefaultResponse, ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from './error-codes';

/** The OpenAPI shape of `error` in every failure; `code`'s enum is ERROR_CODES itself, so the document cannot drift. */
export class ErrorDetail {
  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode', description: 'Stable code to branch on (see README "Errors")' })
  code!: ErrorCode;

  @ApiProperty({ description: 'Client-safe text; never a stack, SQL or provider text' })
  message!: string;

  @ApiPropertyOptional({ description: 'The same id as the X-Request-Id header and the log lines' })
  requestId?: string;

  @ApiPropertyOptional({
    description: 'VALIDATION_FAILED: the failing fields, each with its messages',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  fields?: Record<string, string[]>;

  @ApiPropertyOptional({ description: 'RATE_LIMITED: seconds to wait (also the Retry-After header), when known', type: 'integer' })
  retryAfterS?: number;

  @ApiPropertyOptional({ description: 'PASSWORD_POLICY: the shortest password the policy accepts', type: 'integer' })
  minLength?: number;

  @ApiPropertyOptional({ description: 'PASSWORD_POLICY (local provider): the longest password accepted', type: 'integer' })
  maxLength?: number;

  @ApiPropertyOptional({ description: 'ONBOARDING_INCOMPLETE, a blocked account, INVALID_TRANSITION: the user status it was refused in' })
  status?: string;
}

/** `{ error: { code, message, requestId } }`, plus client-safe extras (`fields`, `status`, `minLength`, …) on some codes. */
export class ErrorResponse {
  @ApiProperty({ type: ErrorDetail })
  error!: ErrorDetail;
}

/**
 * Declares the one error shape as the default response of every operation of a controller (class level). Which codes
 * an operation can answer is in README "Errors"; the schema lists them all.
 */
export function ApiErrorResponses(): ClassDecorator {
  return applyDecorators(ApiExtraModels(ErrorResponse, ErrorDetail), ApiDefaultResponse({ description: 'Any failure', type: ErrorResponse }));
}
