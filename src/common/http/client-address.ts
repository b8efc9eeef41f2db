import type { IncomingMessage } from 'node:http';

/**
 * The one answer to "who is the client": used for per-IP limits, log lines and audit rows. Express computes `req.ip`
 * from the socket and X-Forwarded-For under `trust proxy` (set from TRUST_PROXY in app.setup.ts); with it off, the
 * header is ignored and the socket's address is the client. On another platform, only this function changes.
 */
export function clientAddress(req: IncomingMessage & { ip?: string }): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}
