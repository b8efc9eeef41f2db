import type { IncomingHttpHeaders } from 'node:http';

/**
 * What a request body may be, as pure rules over headers and the parsed value, so the same checks move to another
 * HTTP platform unchanged (app.setup.ts only wires them in).
 */

/** `application/json` and the `application/*+json` family (merge-patch, problem+json …), parameters ignored. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
}

/** As type-is decides it: a body is coming when the message is chunked or declares a non-zero length. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/** `application/x-www-form-urlencoded`, parameters ignored. */
export function isFormMediaType(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * The one route that takes a form: the mailed link's page has no script (strict CSP), so its button can only post a
 * form. A cross-site form reaching it can only spend a link token the sender already holds.
 */
export const FORM_ROUTES: ReadonlySet<string> = new Set(['/api/v1/auth/confirm-email-link']);

export function acceptsForm(url: string | undefined): boolean {
  return url !== undefined && FORM_ROUTES.has(url.split('?', 1)[0]!);
}

/**
 * Routes whose body is authenticated by a signature over its exact bytes (Stripe): it is kept raw and never parsed
 * before the route has checked the signature, so neither the parse cost nor the shape limits of API bodies apply to
 * it (a verified Stripe event may be far wider than any API body).
 */
export const SIGNED_ROUTES: ReadonlySet<string> = new Set(['/api/v1/webhooks/stripe']);

export function isSignedRoute(url: string | undefined): boolean {
  return url !== undefined && SIGNED_ROUTES.has(url.split('?', 1)[0]!);
}

/**
 * The auth gateway's prefix (src/gateway): bodies under it are the upstream's business, so they are streamed through
 * untouched, never parsed, buffered or kept (a 100 MB upload must not sit in memory), and any media type or encoding
 * passes. The gateway route still authenticates before a byte of the body is read.
 */
export const STREAMED_ROUTE_PREFIX = '/api/v1/gw/';

export function isStreamedRoute(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(STREAMED_ROUTE_PREFIX);
}

/**
 * Only JSON is accepted: form and text/plain bodies are the "simple" requests a cross-site `<form>` can send without
 * a CORS preflight, so refusing them keeps other sites' pages from reaching the API with a victim's cookies.
 * The only exception is FORM_ROUTES (the hosted-login callback is a GET).
 */
export function mediaTypeProblem(headers: IncomingHttpHeaders, url?: string): 'UNSUPPORTED_MEDIA_TYPE' | undefined {
  if (!hasBody(headers) || isJsonMediaType(headers['content-type'])) return undefined;
  return acceptsForm(url) && isFormMediaType(headers['content-type']) ? undefined : 'UNSUPPORTED_MEDIA_TYPE';
}

/**
 * Compressed request bodies are refused: bodies here are a few hundred bytes, and inflating them only buys a
 * decompression cost (and an error path that once answered 500 for a broken deflate stream).
 */
export function contentEncodingProblem(headers: IncomingHttpHeaders): 'UNSUPPORTED_CONTENT_ENCODING' | undefined {
  const encoding = headers['content-encoding'];
  if (encoding === undefined) return undefined;
  return encoding.trim().toLowerCase() === 'identity' ? undefined : 'UNSUPPORTED_CONTENT_ENCODING';
}

export interface ShapeLimits {
  /** Deepest nesting of objects and arrays (the top level is depth 1). */
  maxDepth: number;
  /** Object members and array elements in the whole body. */
  maxNodes: number;
}

/**
 * Far above any Gatehouse request (the deepest DTO is 1 level, the widest 5 fields) and above a payment provider's
 * event, yet far below what makes class-transformer recurse 3,000 levels or class-validator report 10,000 unknown
 * fields (a 100 kB body of `{"a":1,…}` once cost 200× a normal request).
 */
export const BODY_SHAPE_LIMITS: ShapeLimits = { maxDepth: 16, maxNodes: 1_000 };

/**
 * Walks a parsed JSON value without recursion and stops at the first limit passed, so the walk itself costs at most
 * `maxNodes` steps whatever was sent.
 */
export function jsonShapeProblem(value: unknown, limits: ShapeLimits = BODY_SHAPE_LIMITS): 'depth' | 'width' | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > limits.maxDepth) return 'depth';
    const children = Array.isArray(current) ? (current as unknown[]) : Object.values(current as Record<string, unknown>);
    nodes += children.length;
    if (nodes > limits.maxNodes) return 'width';
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return undefined;
}

/** BODY_LIMIT (`100kb`, `1mb`, `512b`, as config validates it) in bytes; units of 1024 as body-parser counted them. */
export function byteSize(limit: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!m) throw new Error(`not a byte size: ${limit}`);
  const unit = m[2]!.toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}
