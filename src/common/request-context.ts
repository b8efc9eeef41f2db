import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../config/config.types';

/**
 * Who is asking, for the audit trail: set for every HTTP request by a Fastify hook (request id, client address,
 * user agent) and completed by the auth guard (the caller's role) once the token is verified. Audit writers read it
 * here instead of every call site passing it on. Outside a request (jobs, the CLI, sockets) there is none.
 */
export interface RequestContext {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  actorRole?: Role;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` (and everything it starts) with `ctx` as the current request context. */
export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** A user agent as stored: control characters out, at most 300 characters (it is the client's own text). */
export function userAgentOf(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300);
}
