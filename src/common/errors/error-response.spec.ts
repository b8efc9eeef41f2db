import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { AppError, AuthenticationError, ValidationFailedError } from './app-error';
import { bodyParserError, errorBody, mapError } from './error-response';

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

  it('maps body-parser errors to stable codes', () => {
    expect(mapError({ type: 'entity.parse.failed', status: 400 })).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(mapError({ type: 'entity.too.large', status: 413 })).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(bodyParserError({ type: 'charset.unsupported', status: 415 })).toBeInstanceOf(AppError);
  });

  it('turns anything else into a generic 500 with no text of its own', () => {
    const mapped = mapError(new Error('relation "auth.users" does not exist at character 15'));
    expect(mapped).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', fault: true });
    expect(JSON.stringify(errorBody(mapped))).not.toContain('relation');
  });
});
