import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../../config/config.types';
import type { Principal } from '../principal';
import { type RequestContext, runWithRequestContext, userAgentOf } from '../request-context';
import { clientAddress } from './client-address';

const CONTEXT = Symbol('gatehouse.requestContext');
type WithContext = FastifyRequest & { [CONTEXT]?: RequestContext; principal?: Principal };

/**
 * One HTTP request's context. The client address and the cleaned user agent are worked out on first read, not in the
 * hook: only audit writers read them, and most requests (every cached authenticated read) write no audit row, so the
 * hot path pays for one small object and no header parsing.
 */
class HttpRequestContext implements RequestContext {
  private address?: string | null;
  private agent?: string | null;

  constructor(private readonly req: WithContext) {}

  /** Read from the request, where the auth guard attaches it (common does not import auth): the guard writes nothing here. */
  get principal(): Principal | undefined {
    return this.req.principal;
  }

  get actorRole(): Role | undefined {
    return this.req.principal?.role;
  }

  get requestId(): string {
    return this.req.id;
  }

  get ip(): string | null {
    if (this.address === undefined) this.address = clientAddress(this.req);
    return this.address;
  }

  get userAgent(): string | null {
    if (this.agent === undefined) this.agent = userAgentOf(this.req.headers['user-agent']);
    return this.agent;
  }
}

/**
 * Opens the request context (common/request-context.ts) in onRequest, and enters it again in preHandler: reading the
 * body resumes on the socket's async context, not the hook's, so the guard and the handler get it from the second
 * entry (the same object, so what the guard adds is seen by everything after it).
 */
export function installRequestContext(fastify: FastifyInstance): void {
  // Declared, so every request is built with the field instead of growing it in the hook (one shape for all).
  fastify.decorateRequest(CONTEXT, undefined);
  fastify.addHook('onRequest', (req: WithContext, _reply, done) => {
    const ctx = new HttpRequestContext(req);
    req[CONTEXT] = ctx;
    runWithRequestContext(ctx, done);
  });
  fastify.addHook('preHandler', (req: WithContext, _reply, done) => {
    const ctx = req[CONTEXT];
    if (ctx) runWithRequestContext(ctx, done);
    else done();
  });
}
