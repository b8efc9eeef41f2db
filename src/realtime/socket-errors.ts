import { ArgumentsHost, Catch, Logger, WsExceptionFilter } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { AppError } from '../common/errors/app-error';
import type { ErrorCode } from '../common/errors/error-codes';

/** What a socket client is told of a refusal: the REST error body's `error` member, minus the request id. */
export interface WsErrorBody {
  error: { code: ErrorCode; message: string; [extra: string]: unknown };
}

const logger = new Logger('RealtimeGateway');

/** An AppError's client-safe parts (its `detail` stays in the log); anything else is INTERNAL_ERROR, logged. */
export function wsErrorBody(err: unknown): WsErrorBody {
  if (err instanceof AppError) return { error: { code: err.code, message: err.message, ...err.extra } };
  logger.error({ err: err instanceof Error ? err.message : String(err) }, 'realtime fault');
  return { error: { code: 'INTERNAL_ERROR', message: 'Internal error' } };
}

/** The `connect_error` a refused handshake gets: its `data` carries the same stable code as REST. */
export function connectError(err: unknown): Error & { data: WsErrorBody['error'] } {
  const body = wsErrorBody(err);
  return Object.assign(new Error(body.error.message), { data: body.error });
}

/**
 * Refusals of a message (the gateway guard's AUTH_*, USER_*, FORBIDDEN, a handler's AppError) go back as the
 * message's acknowledgement `{ error: { code, message } }`, so `emitWithAck` resolves with them; a message sent
 * without an ack gets an `exception` event with the same body.
 */
@Catch()
export class SocketErrorFilter implements WsExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const body = wsErrorBody(exception);
    const ack: unknown = host.getArgByIndex(2);
    if (typeof ack === 'function') (ack as (b: WsErrorBody) => void)(body);
    else host.switchToWs().getClient<Socket>().emit('exception', body);
  }
}
