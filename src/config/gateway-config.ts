import { readFileSync } from 'node:fs';
import type { EnvReader } from './env-reader';
import { ROLES, type Role } from './config.types';

/** The methods a gateway route may forward; HEAD goes with GET (Fastify answers HEAD through the GET route). */
export const GATEWAY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type GatewayMethod = (typeof GATEWAY_METHODS)[number];

/** One upstream behind `/api/v1/gw/<name>/…`. */
export interface GatewayRoute {
  name: string;
  /** Origin plus an optional base path, no trailing slash: `<url>/<rest>` is what the upstream receives. */
  url: string;
  /** Roles admitted on top of the status gate; empty: any role. */
  roles: Role[];
  methods: GatewayMethod[];
  /** Longest wait for the upstream's response headers, and longest silence between two chunks of its body. */
  timeoutMs: number;
  /** Largest request body streamed to the upstream (413 past it). */
  bodyLimitBytes: number;
  /** Pass the caller's `Authorization` header on (off: the upstream gets the signed identity only). */
  forwardAuthorization: boolean;
  /** Pass the caller's cookies on. */
  forwardCookies: boolean;
  /** Let the upstream's `Set-Cookie` reach the client (off: it could plant cookies on Gatehouse's origin). */
  allowSetCookie: boolean;
}

export interface GatewayConfig {
  routes: GatewayRoute[];
  /** GATEWAY_SIGNING_SECRET: the HMAC key of X-Gatehouse-Signature; required when any route is configured. */
  signingSecret?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SIZE = /^(\d+)(b|kb|mb)$/i;
const ROUTE_KEYS = new Set(['url', 'roles', 'methods', 'timeoutMs', 'bodyLimit', 'forwardAuthorization', 'forwardCookies', 'allowSetCookie']);

function bytes(limit: string): number | undefined {
  const m = SIZE.exec(limit);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

/**
 * An upstream base URL: http(s), no credentials, query or fragment (they would be sent with every request, or lost),
 * no trailing slash (the forwarded path supplies it).
 */
function upstreamUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const u = new URL(value);
    if (!['http:', 'https:'].includes(u.protocol) || u.username || u.password || u.search || u.hash) return undefined;
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

type Defaults = Pick<GatewayRoute, 'timeoutMs' | 'bodyLimitBytes'>;
type Fail = (problem: string) => void;

/** One route's options from GATEWAY_ROUTES_FILE; every wrong field is its own problem line. */
function routeFrom(name: string, spec: unknown, defaults: Defaults, fail: Fail): GatewayRoute | undefined {
  const where = `route "${name.slice(0, 40)}"`;
  if (!NAME.test(name)) fail(`${where}: the name must be lower-case letters, digits and dashes`);
  if (typeof spec === 'string') spec = { url: spec };
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    fail(`${where} must be a URL or an object with "url"`);
    return undefined;
  }
  const o = spec as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!ROUTE_KEYS.has(key)) fail(`${where}: unknown option "${key.slice(0, 40)}"`);
  const url = upstreamUrl(o.url);
  if (!url) fail(`${where}: "url" must be an http(s) URL without credentials, query or fragment`);
  const list = <T extends string>(key: string, allowed: readonly T[], fallback: T[]): T[] => {
    const v = o[key];
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => (allowed as readonly unknown[]).includes(x))) {
      fail(`${where}: "${key}" must be a non-empty list of ${allowed.join(', ')}`);
      return fallback;
    }
    return [...new Set(v as T[])];
  };
  const flag = (key: string): boolean => {
    const v = o[key];
    if (v !== undefined && typeof v !== 'boolean') fail(`${where}: "${key}" must be true or false`);
    return v === true;
  };
  let timeoutMs = defaults.timeoutMs;
  if (o.timeoutMs !== undefined) {
    if (typeof o.timeoutMs === 'number' && Number.isInteger(o.timeoutMs) && o.timeoutMs >= 1 && o.timeoutMs <= 3_600_000) timeoutMs = o.timeoutMs;
    else fail(`${where}: "timeoutMs" must be a whole number of milliseconds from 1 to 3600000`);
  }
  let bodyLimitBytes = defaults.bodyLimitBytes;
  if (o.bodyLimit !== undefined) {
    const b = typeof o.bodyLimit === 'string' ? bytes(o.bodyLimit) : undefined;
    if (b === undefined) fail(`${where}: "bodyLimit" must look like 100kb or 100mb`);
    else bodyLimitBytes = b;
  }
  return {
    name,
    url: url ?? '',
    roles: list('roles', ROLES, []),
    methods: list('methods', GATEWAY_METHODS, [...GATEWAY_METHODS]),
    timeoutMs,
    bodyLimitBytes,
    forwardAuthorization: flag('forwardAuthorization'),
    forwardCookies: flag('forwardCookies'),
    allowSetCookie: flag('allowSetCookie'),
  };
}

/** GATEWAY_ROUTES: `name=url,name=url`, every route with the defaults. */
function fromList(raw: string, defaults: Defaults, fail: Fail): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    if (at <= 0) {
      fail(`entry "${entry.slice(0, 40)}" must look like name=http://host:port`);
      continue;
    }
    const route = routeFrom(entry.slice(0, at).trim(), entry.slice(at + 1).trim(), defaults, fail);
    if (route) routes.push(route);
  }
  return routes;
}

/** GATEWAY_ROUTES_FILE: a JSON object `{ "<name>": "<url>" | { "url": …, options } }`. */
function fromFile(path: string, defaults: Defaults, fail: Fail): GatewayRoute[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`cannot be read as JSON (${(err as NodeJS.ErrnoException).code ?? 'syntax error'})`);
    return [];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail('must hold a JSON object of routes by name');
    return [];
  }
  return Object.entries(parsed).flatMap(([name, spec]) => routeFrom(name, spec, defaults, fail) ?? []);
}

/**
 * GATEWAY_*: the upstreams of the auth gateway. Off (no routes) unless GATEWAY_ROUTES or GATEWAY_ROUTES_FILE is set;
 * with routes, GATEWAY_SIGNING_SECRET is required in every environment: an upstream that cannot check the signature
 * would have to trust any caller who reaches it.
 */
export function readGateway(r: EnvReader): GatewayConfig {
  const timeoutMs = r.int('GATEWAY_TIMEOUT_MS', 30_000, 1, 3_600_000);
  const rawLimit = r.string('GATEWAY_BODY_LIMIT', '256mb');
  let bodyLimitBytes = bytes(rawLimit);
  if (bodyLimitBytes === undefined) {
    r.fail('GATEWAY_BODY_LIMIT', `must look like 100kb or 256mb (got "${rawLimit.slice(0, 20)}")`);
    bodyLimitBytes = 256 * 1024 * 1024;
  }
  const defaults = { timeoutMs, bodyLimitBytes };
  const list = r.raw('GATEWAY_ROUTES');
  const file = r.raw('GATEWAY_ROUTES_FILE');
  if (list !== undefined && file !== undefined) r.fail('GATEWAY_ROUTES', 'and GATEWAY_ROUTES_FILE are both set: use one');
  const routes =
    file !== undefined
      ? fromFile(file, defaults, (p) => r.fail('GATEWAY_ROUTES_FILE', p))
      : list !== undefined
        ? fromList(list, defaults, (p) => r.fail('GATEWAY_ROUTES', p))
        : [];
  const names = routes.map((x) => x.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) r.fail(file !== undefined ? 'GATEWAY_ROUTES_FILE' : 'GATEWAY_ROUTES', `names route "${twice}" twice`);
  const signingSecret = r.raw('GATEWAY_SIGNING_SECRET');
  if (signingSecret !== undefined && Buffer.byteLength(signingSecret) < 32) r.fail('GATEWAY_SIGNING_SECRET', 'must be at least 32 bytes');
  if (routes.length > 0 && signingSecret === undefined) {
    r.fail('GATEWAY_SIGNING_SECRET', 'is required when gateway routes are configured (upstreams verify X-Gatehouse-Signature with it)');
  }
  return { routes, signingSecret };
}
