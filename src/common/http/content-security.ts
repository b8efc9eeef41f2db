/**
 * Which Content-Security-Policy a response gets. The API answers JSON (and redirects), so it gets a policy that allows
 * nothing; only Swagger UI, under DOCS_PATH, needs inline scripts and styles. Pure, so it ports to another platform.
 */
export const DOCS_PATH = '/api/docs';

type Directives = Record<string, string[]>;

/** Nothing loads, nothing frames the response, no <base>; forms may post only back here (a mailed link's page). */
export const STRICT_CSP: Directives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** What Swagger UI needs: its own inline bootstrap script and styles, images as data: URLs. */
export const DOCS_CSP: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'object-src': ["'none'"],
  'script-src': ["'self'", "'unsafe-inline'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** `/api/docs` and everything below it (not `/api/docsx`); the query string is ignored. */
export function isDocsPath(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
}

export function cspFor(url: string, docsEnabled: boolean): Directives {
  return docsEnabled && isDocsPath(url) ? DOCS_CSP : STRICT_CSP;
}
