import helmet from 'helmet';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONSOLE_CSP, DOCS_CSP, isConsolePath, isDocsPath, STRICT_CSP } from './content-security';

export type HeaderSet = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * helmet's headers for one set of options, rendered once. helmet's policy is static here (no nonces), so running its
 * middleware once at start-up and replaying the result gives every response exactly helmet's headers without running
 * helmet (and @fastify/helmet's per-request `helmet(options)` rebuild) on each request.
 */
export function renderHelmet(options: Parameters<typeof helmet>[0]): Map<string, string> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

export interface SecurityHeaderSets {
  /** Every API answer: the strict CSP. */
  strict: HeaderSet;
  /** Swagger UI under /api/docs: the relaxed CSP it needs. */
  docs: HeaderSet;
  /** The admin console under /admin: its own scripts, styles and API calls only. */
  console: HeaderSet;
}

/**
 * Responses are per caller and often carry tokens: nothing may be stored by browsers or proxies (`no-store`).
 * HSTS and `upgrade-insecure-requests` only in production: a development or evaluation server is reached over plain
 * http:// at names other than localhost (http://gatehouse.lan:3000/api/docs), where an upgrade rewrites the docs
 * page's assets to https:// and leaves it blank, and HSTS would pin the name to https.
 */
export function securityHeaderSets(production: boolean): SecurityHeaderSets {
  const render = (base: Record<string, string[]>): HeaderSet => {
    const directives = production ? { ...base, 'upgrade-insecure-requests': [] } : base;
    const headers = renderHelmet({ contentSecurityPolicy: { useDefaults: false, directives }, hsts: production });
    headers.set('cache-control', 'no-store');
    return Object.freeze([...headers.entries()].map(([k, v]) => Object.freeze([k, v] as const)));
  };
  return { strict: render(STRICT_CSP), docs: render(DOCS_CSP), console: render(CONSOLE_CSP) };
}

/** The set a request's answer gets: the console's under /admin, Swagger UI's under /api/docs when served, else strict. */
export function headerSetFor(url: string, sets: SecurityHeaderSets, docsEnabled: boolean): HeaderSet {
  if (isConsolePath(url)) return sets.console;
  return docsEnabled && isDocsPath(url) ? sets.docs : sets.strict;
}

/**
 * The onRequest hook: one of the sets above (values computed once) on every answer, plus the request id. No helmet
 * per request, no closure per request.
 */
export function securityHeadersHook(sets: SecurityHeaderSets, docsEnabled: boolean) {
  return function securityHeaders(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
    for (const [name, value] of headerSetFor(req.url, sets, docsEnabled)) reply.header(name, value);
    reply.header('x-request-id', req.id);
    done();
  };
}
