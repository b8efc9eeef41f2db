import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type RequestContext, runWithRequestContext, userAgentOf } from '../request-context';
import { clientAddress } from './client-address';

const CONTEXT = Symbol('gatehouse.requestContext');
type WithContext = FastifyRequest & { [CONTEXT]?: RequestContext };

/**
 * Opens the request context (common/request-context.ts) in onRequest, and enters it again in preHandler: reading the
 * body resumes on the socket's async context, not the hook's, so the guard and the handler get it from the second
 * entry (the same object, so what the guard adds is seen by everything after it).
 */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req: WithContext, _reply, done) => {
    const ctx: RequestContext = { requestId: req.id, ip: clientAddress(req), userAgent: userAgentOf(req.headers['user-agent']) };
    req[CONTEXT] = ctx;
    runWithRequestContext(ctx, done);
  });
  fastify.addHook('preHandler', (req: WithContext, _reply, done) => {
    const ctx = req[CONTEXT];
    if (ctx) runWithRequestContext(ctx, done);
    else done();
  });
}
