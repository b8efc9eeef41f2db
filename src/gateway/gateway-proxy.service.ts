import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { assertRole } from '../auth';
import { AppError, AuthenticationError, BadRequestError, NotFoundError } from '../common/errors/app-error';
import type { Principal } from '../common/principal';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { GatewayRoute } from '../config/gateway-config';
import { ByteLimit } from './byte-limit';
import { clientResponseHeaders, upstreamRequestHeaders, type HeaderMap } from './forward-headers';
import { ABORT_SIGNAL } from './gateway-agent';
import { forwardedTarget } from './gateway-paths';
import { signGatehouseRequest } from './upstream-verify';

/** The clock the signature's timestamp is read from (seconds); swapped in tests. */
export const GATEWAY_CLOCK = Symbol('GATEWAY_CLOCK');
export type GatewayClock = () => number;

/** A gateway request as the global guard left it: the principal attached, the body (if any) still an unread stream. */
export type GatewayRequest = FastifyRequest<{ Params: { name: string } }> & { principal?: Principal };

const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', 413, 'Request body is too large');

/**
 * Forwards one authenticated request to its upstream through @fastify/reply-from (undici), both bodies streamed.
 * The global guard has already admitted the caller (same Authenticator and status gate as every route); this adds the
 * route's own rules (roles, methods, body limit), replaces every identity and forwarding header with Gatehouse's own
 * and signs them, and maps the upstream's failures to the error shape (502 UPSTREAM_UNAVAILABLE, 504 UPSTREAM_TIMEOUT).
 */
@Injectable()
export class GatewayProxy {
  private readonly logger = new Logger(GatewayProxy.name);
  private readonly routes: ReadonlyMap<string, GatewayRoute>;
  private readonly secret: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(GATEWAY_CLOCK) private readonly nowS: GatewayClock,
  ) {
    this.routes = new Map(config.gateway.routes.map((r) => [r.name, r]));
    this.secret = config.gateway.signingSecret ?? '';
  }

  /** Resolves once the upstream's answer is handed to the client (or the client left); rejects with an AppError before. */
  forward(req: GatewayRequest, reply: FastifyReply): Promise<void> {
    const principal = req.principal;
    // The route is not optional, so the guard has attached a principal; fail closed if that ever changes.
    if (!principal) throw new AuthenticationError('AUTH_TOKEN_MISSING');
    const route = this.routes.get(req.params.name);
    if (!route) throw new NotFoundError('NOT_FOUND', 'No such gateway route');
    this.assertMethod(route, req.method, reply);
    assertRole(principal, route.roles);
    const rest = forwardedTarget(req.url, route.name);
    if (rest === undefined) throw new BadRequestError('BAD_REQUEST', 'This path cannot be forwarded', `dot segment or bad encoding in ${req.url.slice(0, 200)}`);
    const target = new URL(route.url + rest);
    const declared = Number(req.headers['content-length']);
    if (declared > route.bodyLimitBytes) {
      // The body is left unread: closing spares reading (and discarding) it for the next request on the connection.
      reply.header('connection', 'close');
      throw tooLarge();
    }
    // A declared length is held by Node's HTTP parser (no byte past it is read as body), so only a chunked body needs
    // counting on its way through.
    const raw = req.body instanceof Readable ? req.body : undefined;
    const body = raw && Number.isNaN(declared) ? ByteLimit.over(raw, route.bodyLimitBytes) : undefined;
    // reply-from streams `request.body` when it is a stream; otherwise nothing is sent.
    (req as { body: unknown }).body = body ?? raw;

    const identity = { userId: principal.userId, email: principal.email ?? '', role: principal.role, requestId: req.id };
    const pathAndQuery = target.pathname + target.search;
    const headers = upstreamRequestHeaders(req.headers, {
      upstreamHost: target.host,
      forwardedFor: [...((req as { ips?: string[] }).ips ?? [req.ip])].reverse(),
      proto: req.protocol,
      host: req.host,
      identity,
      signature: signGatehouseRequest(this.secret, req.method, pathAndQuery, this.nowS(), identity),
      forwardAuthorization: route.forwardAuthorization,
      forwardCookies: route.forwardCookies,
    });

    return new Promise<void>((resolve, reject) => {
      const abort = new AbortController();
      // A client that goes away (before or during the answer) cancels the upstream request, which then stops working.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
        resolve();
      });
      const fail = (error: Error): void => {
        if (abort.signal.aborted) return resolve();
        if (body?.exceeded) reply.header('connection', 'close');
        reject(this.failure(route, error, body));
      };
      try {
        reply.from(target.href, {
          timeout: route.timeoutMs,
          // The target carries the query; reply-from would otherwise re-read it from the client's URL.
          queryString: () => target.search.slice(1),
          // Never retried: a proxied request may not be idempotent, and the route's timeout is the whole budget.
          retryDelay: () => null,
          rewriteRequestHeaders: () => ({ ...headers, [ABORT_SIGNAL]: abort.signal }),
          rewriteHeaders: (upstream) => clientResponseHeaders(upstream as HeaderMap, route.allowSetCookie) as typeof upstream,
          onResponse: (_request, rep, res) => {
            rep.send(res.stream);
            resolve();
          },
          onError: (_rep, { error }) => fail(error),
        });
      } catch (err) {
        // reply-from refuses some targets itself (its own traversal rule); the path rule above should have caught them.
        reject(new BadRequestError('BAD_REQUEST', 'This path cannot be forwarded', (err as Error).message));
      }
    });
  }

  private assertMethod(route: GatewayRoute, method: string, reply: FastifyReply): void {
    const asked = method === 'HEAD' ? 'GET' : method;
    if ((route.methods as readonly string[]).includes(asked)) return;
    reply.header('allow', [...route.methods, ...(route.methods.includes('GET') ? ['HEAD'] : [])].join(', '));
    throw new AppError('METHOD_NOT_ALLOWED', 405, 'This gateway route does not accept that method');
  }

  /** The upstream's failure as the client sees it; the cause (refused, reset, DNS, timeout) goes to the log only. */
  private failure(route: GatewayRoute, error: Error, body: ByteLimit | undefined): AppError {
    if (body?.exceeded) return tooLarge();
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = `${route.name}: ${cause?.code ?? error.name} ${(cause?.message ?? error.message).slice(0, 200)}`;
    if ((error as { statusCode?: number }).statusCode === 504) {
      return new AppError('UPSTREAM_TIMEOUT', 504, 'The service did not answer in time', detail);
    }
    this.logger.warn({ route: route.name, detail }, 'upstream unavailable');
    return new AppError('UPSTREAM_UNAVAILABLE', 502, 'The service is unavailable', detail);
  }
}
