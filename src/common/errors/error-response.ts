import { HttpException } from '@nestjs/common';
import { AppError } from './app-error';
import { isDatabaseUnavailable } from './database-unavailable';
import type { ErrorCode } from './error-codes';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId?: string } & Record<string, unknown>;
}

export interface MappedError {
  status: number;
  code: ErrorCode;
  message: string;
  extra?: Record<string, unknown>;
  /** Log-only detail. */
  detail?: string;
  /** True when this is a fault of ours (5xx): log loudly with the stack. */
  fault: boolean;
}

const STATUS_CODES: Record<number, [ErrorCode, string]> = {
  400: ['BAD_REQUEST', 'Bad request'],
  401: ['AUTH_TOKEN_MISSING', 'Authentication required'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not found'],
  405: ['METHOD_NOT_ALLOWED', 'Method not allowed'],
  406: ['NOT_ACCEPTABLE', 'Not acceptable'],
  409: ['CONFLICT', 'Conflict'],
  413: ['PAYLOAD_TOO_LARGE', 'Request body too large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  429: ['RATE_LIMITED', 'Too many requests, try again later'],
  431: ['HEADERS_TOO_LARGE', 'Request headers too large'],
};

/** What Fastify's own errors carry (body limit, content length, router): a stable `FST_…` code and a status. */
interface PlatformError {
  code?: unknown;
  statusCode?: unknown;
}

/** Fastify's codes that have a Gatehouse code of their own; any other 4xx of the platform maps by its status. */
const PLATFORM_CODES: Record<string, [ErrorCode, number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 413, 'Request body too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported media type'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_JSON', 400, 'Request body is not valid JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_JSON', 400, 'Request body is not valid JSON'],
};

/**
 * Maps anything thrown into a client-safe shape. Pure, so the mapping is unit-tested; only AppError messages and
 * fixed texts reach clients: Nest, body-parser, SQL and AWS texts never do.
 */
export function mapError(err: unknown): MappedError {
  if (err instanceof AppError) {
    return { status: err.status, code: err.code, message: err.message, extra: err.extra, detail: err.detail, fault: err.status >= 500 };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const [code, message]: [ErrorCode, string] = STATUS_CODES[status] ?? (status >= 500 ? ['INTERNAL_ERROR', 'Internal server error'] : ['BAD_REQUEST', 'Bad request']);
    // Nest's NotFoundException for unmatched routes says "Cannot GET /x": keep the path out of the body.
    return { status, code, message, detail: err.message, fault: status >= 500 };
  }
  const fromPlatform = platformError(err);
  if (fromPlatform instanceof AppError) return mapError(fromPlatform);
  // Retryable and not our fault: the client gets 503 and the code, the log still gets the driver's error (redacted).
  if (isDatabaseUnavailable(err)) {
    return { status: 503, code: 'DATABASE_UNAVAILABLE', message: 'The database is not reachable; try again shortly', detail: (err as Error).message, fault: true };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', fault: true };
}

export function errorBody(mapped: MappedError, requestId?: string): ErrorBody {
  return { error: { code: mapped.code, message: mapped.message, ...(mapped.extra ?? {}), ...(requestId ? { requestId } : {}) } };
}

/** Fastify's own errors (thrown before a route runs) become AppErrors with stable codes; anything else is left as it is. */
export function platformError(err: unknown): unknown {
  const e = err as PlatformError | null;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || !e.code.startsWith('FST_')) return err;
  const known = PLATFORM_CODES[e.code];
  if (known) return new AppError(known[0], known[1], known[2], e.code);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const [code, message]: [ErrorCode, string] = STATUS_CODES[e.statusCode] ?? ['BAD_REQUEST', 'Bad request'];
    return new AppError(code, e.statusCode, message, e.code);
  }
  return err;
}
