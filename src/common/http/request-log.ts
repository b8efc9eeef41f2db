import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/**
 * onResponse: the one line per request, at info (error for 5xx), with the request id, route, path (never the query
 * string, which can hold a mailed link's token), client address (as TRUST_PROXY decides it), status, duration, and the
 * user id once the guard has resolved who is calling (absent on public routes and refused requests).
 * Headers are never logged, so no token or cookie can reach the line.
 */
export function requestLogHook(root: Logger): (req: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  // The line is built field by field from what may be logged (no header, no query string, no body), so the root
  // logger's redaction has nothing to find in it; its walk of every line's object cost about 2.5 µs a request.
  // The same destination and level; a line that ever carried a credential fails request-log.e2e-spec.
  const log = root.child({}, { redact: { paths: [] } });
  const info = log.isLevelEnabled('info');
  const error = log.isLevelEnabled('error');
  return function logRequest(req, reply, done) {
    const status = reply.statusCode;
    if (status >= 500 ? error : info) {
      const q = req.url.indexOf('?');
      // One object literal (the same shape on every line); an undefined userId is left out by the serializer.
      const line = {
        req: { id: req.id, method: req.method, url: q < 0 ? req.url : req.url.slice(0, q), route: req.routeOptions.url, ip: req.ip },
        userId: userIdOf(req),
        res: { statusCode: status },
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
      };
      if (status >= 500) log.error(line, 'request failed');
      else log.info(line, 'request completed');
    }
    done();
  };
}

/** The principal the auth guard attached (AuthenticatedRequest in auth), read by shape: common does not import auth. */
function userIdOf(req: FastifyRequest): string | undefined {
  const principal = (req as FastifyRequest & { principal?: { userId?: unknown } }).principal;
  return typeof principal?.userId === 'string' ? principal.userId : undefined;
}
