import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, mapError } from './error-response';

/** The one place every HTTP failure is rendered. Clients get `{ error: { code, message, requestId } }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const res = ctx.getResponse<FastifyReply>();
    const mapped = mapError(exception);
    const requestId = req?.id;

    if (mapped.fault) {
      this.logger.error({ err: exception, requestId, code: mapped.code }, 'request failed');
    } else if (mapped.status === 401 || mapped.status === 404 || !mapped.detail) {
      // Token refusals are logged by the guard with their reason; misses and plain validation need no second line.
      this.logger.debug({ requestId, code: mapped.code, detail: mapped.detail }, 'request rejected');
    } else {
      // The cause an operator needs (a hosted-login error from the issuer, a provider's refusal) but never the client.
      this.logger.log({ requestId, code: mapped.code, detail: mapped.detail }, 'request rejected');
    }
    if (res.sent) return;
    if (mapped.status === 429 && typeof mapped.extra?.retryAfterS === 'number') res.header('Retry-After', String(mapped.extra.retryAfterS));
    if (mapped.status === 401) res.header('WWW-Authenticate', 'Bearer');
    void res.status(mapped.status).type('application/json; charset=utf-8').send(errorBody(mapped, requestId));
  }
}
