import type { UserStatus } from '../user-status';

/**
 * Every `code` a client can find in `{ error: { code, message, requestId } }`, with the one HTTP status it is sent
 * with: the closed vocabulary a front end branches on. AppError's `code` is typed with it, so a new code is added here
 * first; unit tests hold README.md's "Errors" table and every throw site (its status too) to this table, and the
 * OpenAPI document's error responses (`@ApiErrors`) take their status from it.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_INPUT: 400,
  MALFORMED_JSON: 400,
  BODY_TOO_COMPLEX: 400,
  MFA_CODE_INVALID: 400,
  MFA_CODE_REQUIRED: 400,
  CODE_INVALID: 400,
  CODE_EXPIRED: 400,
  PASSWORD_POLICY: 400,
  HOSTED_LOGIN_FAILED: 400,
  WEBHOOK_SIGNATURE_MISSING: 400,
  WEBHOOK_SIGNATURE_INVALID: 400,
  WEBHOOK_TIMESTAMP_OUT_OF_RANGE: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  AUTH_TOKEN_MISSING: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_TOKEN_EXPIRED: 401,
  AUTH_TOKEN_REVOKED: 401,
  AUTH_FAILED: 401,
  MFA_REQUIRED: 401,
  MFA_SESSION_INVALID: 401,
  REFRESH_TOKEN_INVALID: 401,
  FORBIDDEN: 403,
  USER_SUSPENDED: 403,
  USER_DISABLED: 403,
  USER_REJECTED: 403,
  ONBOARDING_INCOMPLETE: 403,
  ORIGIN_NOT_ALLOWED: 403,
  EMAIL_NOT_VERIFIED: 403,
  REAUTHENTICATION_REQUIRED: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  HOSTED_LOGIN_UNAVAILABLE: 404,
  BILLING_NOT_CONFIGURED: 404,
  BILLING_CUSTOMER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  CONFLICT: 409,
  EMAIL_IN_USE: 409,
  INVALID_TRANSITION: 409,
  MFA_NOT_ENROLLED: 409,
  MFA_ALREADY_ENABLED: 409,
  MFA_REQUIRED_BY_ADMIN: 409,
  MFA_REQUIRED_BY_ONBOARDING: 409,
  SELF_ACTION_FORBIDDEN: 409,
  LAST_ADMIN: 409,
  MFA_UNAVAILABLE: 409,
  PRECONDITION_FAILED: 412,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_CONTENT_ENCODING: 415,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  NOT_SUPPORTED: 501,
  PROVIDER_ACCESS_DENIED: 502,
  PROVIDER_UNAVAILABLE: 503,
  HOSTED_LOGIN_ISSUER_UNAVAILABLE: 503,
  MAIL_UNAVAILABLE: 503,
  RATE_LIMIT_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  STRIPE_UNAVAILABLE: 503,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_TIMEOUT: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The codes in table order (the OpenAPI `ErrorCode` enum, README's table). */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as readonly ErrorCode[];

/** The one status `code` is sent with. */
export function errorStatus(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

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
