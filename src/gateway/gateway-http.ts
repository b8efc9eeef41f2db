import replyFrom from '@fastify/reply-from';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, mapError } from '../common/errors/error-response';
import { AppError } from '../common/errors/app-error';
import { requestIdFor } from '../common/logging';
import { gatewayAgent } from './gateway-agent';
import { GATEWAY_PATH } from './gateway-paths';

/**
 * The gateway's part of the HTTP platform: reply-from on its own undici Agent, and the refusal of WebSocket upgrades
 * to an upstream (they are not proxied; answering here means one can never reach an upstream unauthenticated).
 */
export async function installGateway(app: NestFastifyApplication): Promise<void> {
  await app.register(replyFrom, { undici: gatewayAgent(), disableRequestLogging: true, disableCache: true });
  (app.getHttpServer() as Server).on('upgrade', refuseGatewayUpgrade);
}

/** An Upgrade to /api/v1/gw/… is answered 501 NOT_SUPPORTED and closed; other paths are socket.io's. */
export function refuseGatewayUpgrade(req: IncomingMessage, socket: Duplex): void {
  if (!req.url?.startsWith(GATEWAY_PATH)) return;
  const requestId = requestIdFor(req.headers);
  const refusal = mapError(new AppError('NOT_SUPPORTED', 501, 'WebSocket upgrades are not forwarded by the gateway'));
  const body = JSON.stringify(errorBody(refusal, requestId));
  socket.on('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 501 Not Implemented\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}
