import { HttpException } from '@nestjs/common';
import { AppError } from './app-error';
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

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

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
  const fromBodyParser = bodyParserError(err);
  if (fromBodyParser instanceof AppError) return mapError(fromBodyParser);
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', fault: true };
}

export function errorBody(mapped: MappedError, requestId?: string): ErrorBody {
  return { error: { code: mapped.code, message: mapped.message, ...(mapped.extra ?? {}), ...(requestId ? { requestId } : {}) } };
}

/** body-parser marks its errors with `type`; turn them into AppErrors, leave anything else as it is. */
export function bodyParserError(err: unknown): unknown {
  const bp = err as BodyParserError | null;
  if (!bp || typeof bp !== 'object' || typeof bp.type !== 'string') return err;
  if (bp.type === 'entity.parse.failed') return new AppError('MALFORMED_JSON', 400, 'Request body is not valid JSON', bp.type);
  if (bp.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 413, 'Request body too large', bp.type);
  if (bp.type === 'encoding.unsupported') return new AppError('UNSUPPORTED_CONTENT_ENCODING', 415, 'Compressed request bodies are not accepted', bp.type);
  if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
    const [code, message]: [ErrorCode, string] = STATUS_CODES[bp.status] ?? ['BAD_REQUEST', 'Bad request'];
    return new AppError(code, bp.status, message, bp.type);
  }
  return err;
}
