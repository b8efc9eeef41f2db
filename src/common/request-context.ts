import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../config/config.types';
import type { Principal } from './principal';

/**
 * Who is asking, for the audit trail: set for every HTTP request by a Fastify hook (request id, client address,
 * user agent); the caller is whoever the auth guard attached to the request. Audit writers read it here instead of
 * every call site passing it on. Outside a request (jobs, the CLI, sockets) there is none.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** The authenticated caller, once the guard has admitted one (absent on public routes and before the guard). */
  readonly principal?: Principal;
  /** The role the caller acts with (the principal's). */
  readonly actorRole?: Role;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` (and everything it starts) with `ctx` as the current request context. */
export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * The principal the auth guard attached to the current HTTP request. For hot-path handlers: a parameter decorator
 * (@Req(), a custom one) makes Nest resolve the handler's arguments through an async chain of promises on every call,
 * which a route that answers from memory would otherwise not pay.
 */
export function currentPrincipal(): Principal | undefined {
  return storage.getStore()?.principal;
}

/** A user agent as stored: control characters out, at most 300 characters (it is the client's own text). */
export function userAgentOf(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300);
}
