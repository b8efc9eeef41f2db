import type { UserStatus } from '../user-status';

/**
 * Every `code` a client can find in `{ error: { code, message, requestId } }`: the closed vocabulary a front end
 * branches on. AppError's `code` is typed with it, so a new code is added here first; a unit test holds README.md's
 * "Errors" table to this list, and the OpenAPI error schema's `code` enum is generated from it.
 */
export const ERROR_CODES = [
  // 400
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'INVALID_INPUT',
  'MALFORMED_JSON',
  'BODY_TOO_COMPLEX',
  'MFA_CODE_INVALID',
  'MFA_CODE_REQUIRED',
  'CODE_INVALID',
  'CODE_EXPIRED',
  'PASSWORD_POLICY',
  'HOSTED_LOGIN_FAILED',
  'WEBHOOK_SIGNATURE_MISSING',
  'WEBHOOK_SIGNATURE_INVALID',
  'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
  // 401
  'AUTH_TOKEN_MISSING',
  'AUTH_TOKEN_INVALID',
  'AUTH_TOKEN_EXPIRED',
  'AUTH_TOKEN_REVOKED',
  'AUTH_FAILED',
  'MFA_REQUIRED',
  'MFA_REQUIRED_BY_ONBOARDING',
  'MFA_SESSION_INVALID',
  'REFRESH_TOKEN_INVALID',
  // 403
  'FORBIDDEN',
  'USER_SUSPENDED',
  'USER_DISABLED',
  'USER_REJECTED',
  'ONBOARDING_INCOMPLETE',
  'ORIGIN_NOT_ALLOWED',
  'EMAIL_NOT_VERIFIED',
  'REAUTHENTICATION_REQUIRED',
  // 404, 405, 406
  'NOT_FOUND',
  'USER_NOT_FOUND',
  'HOSTED_LOGIN_UNAVAILABLE',
  'BILLING_NOT_CONFIGURED',
  'BILLING_CUSTOMER_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'NOT_ACCEPTABLE',
  // 409
  'CONFLICT',
  'EMAIL_IN_USE',
  'INVALID_TRANSITION',
  'MFA_NOT_ENROLLED',
  'MFA_ALREADY_ENABLED',
  'MFA_REQUIRED_BY_ADMIN',
  'SELF_ACTION_FORBIDDEN',
  'LAST_ADMIN',
  'MFA_UNAVAILABLE',
  // 412
  'PRECONDITION_FAILED',
  // 413, 415, 429, 431
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNSUPPORTED_CONTENT_ENCODING',
  'RATE_LIMITED',
  'TOO_MANY_CONNECTIONS',
  'HEADERS_TOO_LARGE',
  // 5xx
  'INTERNAL_ERROR',
  'NOT_SUPPORTED',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_ACCESS_DENIED',
  'HOSTED_LOGIN_ISSUER_UNAVAILABLE',
  'MAIL_UNAVAILABLE',
  'RATE_LIMIT_UNAVAILABLE',
  'DATABASE_UNAVAILABLE',
  'STRIPE_UNAVAILABLE',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The code a blocked account is refused with (a table, not a code spelled from the status at run time). */
const BLOCKED_STATUS_CODES: Partial<Record<UserStatus, ErrorCode>> = {
  suspended: 'USER_SUSPENDED',
  disabled: 'USER_DISABLED',
  rejected: 'USER_REJECTED',
};

/** The blocked status's own code, or undefined for a status that blocks nothing. */
export function blockedStatusCode(status: UserStatus): ErrorCode | undefined {
  return BLOCKED_STATUS_CODES[status];
}
