import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { AppError, AuthenticationError, ValidationFailedError } from './app-error';
import { errorBody, mapError, platformError } from './error-response';

describe('mapError', () => {
  it('renders AppErrors with their code, status and client-safe extras', () => {
    const mapped = mapError(new ValidationFailedError({ email: ['email must be an email'] }));
    expect(errorBody(mapped, 'req-1')).toEqual({
      error: { code: 'VALIDATION_FAILED', message: 'Invalid request: email', fields: { email: ['email must be an email'] }, requestId: 'req-1' },
    });
    expect(mapped.status).toBe(400);
  });

  it('keeps the log-only detail out of the body', () => {
    const mapped = mapError(new AuthenticationError('AUTH_TOKEN_INVALID', 'signature mismatch for kid abc'));
    expect(JSON.stringify(errorBody(mapped))).not.toContain('signature mismatch');
    expect(mapped.detail).toBe('signature mismatch for kid abc');
  });

  it('never passes Nest or body-parser texts through', () => {
    expect(mapError(new NotFoundException('Cannot GET /secret/path'))).toMatchObject({ status: 404, code: 'NOT_FOUND', message: 'Not found' });
    expect(mapError(new BadRequestException('Unexpected token } in JSON'))).toMatchObject({ status: 400, message: 'Bad request' });
    expect(mapError(new PayloadTooLargeException())).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it("maps Fastify's own errors to stable codes, never its text", () => {
    expect(mapError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'Request body is too large' })).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(mapError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 })).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(mapError({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 })).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(mapError({ code: 'FST_ERR_BAD_URL', statusCode: 400, message: "'/%E0' is not a valid url component" })).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'Bad request' });
    expect(platformError({ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 })).toBeInstanceOf(AppError);
    // Not the platform's: left alone (a 500 without text).
    expect(mapError({ code: 'ECONNRESET', statusCode: 400 })).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
  });

  it('turns anything else into a generic 500 with no text of its own', () => {
    const mapped = mapError(new Error('relation "auth.users" does not exist at character 15'));
    expect(mapped).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', fault: true });
    expect(JSON.stringify(errorBody(mapped))).not.toContain('relation');
  });
});
