import type { ErrorCode } from './error-codes';

/**
 * The one error hierarchy. Each leaf has a stable UPPER_SNAKE `code` and an HTTP status; the global filter renders
 * `{ error: { code, message, requestId } }`. `message` is safe for clients; `detail` is for logs only.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    /** Precise cause for the log (never sent to clients). */
    readonly detail?: string,
    /** Extra client-safe fields, e.g. the failing field names or the current onboarding status. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends AppError {
  constructor(fields: Record<string, string[]>) {
    super('VALIDATION_FAILED', 400, `Invalid request: ${Object.keys(fields).join(', ')}`, undefined, { fields });
  }
}

export class BadRequestError extends AppError {
  constructor(code: ErrorCode, message: string, detail?: string) {
    super(code, 400, message, detail);
  }
}

export class NotFoundError extends AppError {
  constructor(code: ErrorCode = 'NOT_FOUND', message = 'Not found') {
    super(code, 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(code, 409, message);
  }
}

/** 401: the caller is not authenticated. All signature and claim failures share one message on purpose. */
export class AuthenticationError extends AppError {
  static readonly GENERIC = 'Invalid or expired credentials';
  constructor(code: 'AUTH_TOKEN_MISSING' | 'AUTH_TOKEN_INVALID' | 'AUTH_TOKEN_EXPIRED' | 'AUTH_TOKEN_REVOKED' | 'AUTH_FAILED', detail?: string, message?: string) {
    super(code, 401, message ?? (code === 'AUTH_TOKEN_MISSING' ? 'Authentication required' : AuthenticationError.GENERIC), detail);
  }
}

/** 403: authenticated but not allowed. */
export class ForbiddenError extends AppError {
  constructor(code: ErrorCode, message: string, extra?: Record<string, unknown>, detail?: string) {
    super(code, 403, message, detail, extra);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterS?: number) {
    super('RATE_LIMITED', 429, 'Too many requests, try again later', undefined, retryAfterS ? { retryAfterS } : undefined);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(code: ErrorCode, message: string, detail?: string) {
    super(code, 503, message, detail);
  }
}
