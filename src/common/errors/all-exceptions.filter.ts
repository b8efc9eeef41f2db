import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorBody, mapError } from './error-response';

/** The one place every HTTP failure is rendered. Clients get `{ error: { code, message, requestId } }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string | number }>();
    const res = ctx.getResponse<Response>();
    const mapped = mapError(exception);
    const requestId = req.id === undefined ? undefined : String(req.id);

    if (mapped.fault) {
      this.logger.error({ err: exception, requestId, code: mapped.code }, 'request failed');
    } else if (mapped.status === 401 || mapped.status === 404 || !mapped.detail) {
      // Token refusals are logged by the guard with their reason; misses and plain validation need no second line.
      this.logger.debug({ requestId, code: mapped.code, detail: mapped.detail }, 'request rejected');
    } else {
      // The cause an operator needs (a hosted-login error from the issuer, a provider's refusal) but never the client.
      this.logger.log({ requestId, code: mapped.code, detail: mapped.detail }, 'request rejected');
    }
    if (res.headersSent) return;
    if (mapped.status === 429 && typeof mapped.extra?.retryAfterS === 'number') res.setHeader('Retry-After', String(mapped.extra.retryAfterS));
    if (mapped.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(mapped.status).json(errorBody(mapped, requestId));
  }
}
