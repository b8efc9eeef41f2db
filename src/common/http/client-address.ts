/**
 * The one answer to "who is the client": used for per-IP limits, log lines and audit rows. Fastify computes `req.ip`
 * from the socket and X-Forwarded-For under `trustProxy` (set from TRUST_PROXY in app.setup.ts); with it off, the
 * header is ignored and the socket's address is the client. On another platform, only this function changes.
 */
export function clientAddress(req: { ip?: string; socket?: { remoteAddress?: string } }): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}
