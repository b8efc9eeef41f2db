/**
 * Which Content-Security-Policy a response gets. The API answers JSON (and redirects), so it gets a policy that allows
 * nothing; only Swagger UI, under DOCS_PATH, needs inline scripts and styles. Pure, so it ports to another platform.
 */
export const DOCS_PATH = '/api/docs';
/** The admin console's pages and assets (src/admin/console). */
export const CONSOLE_PATH = '/admin';

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

/**
 * The admin console (issue #16): its own scripts, styles and API calls, nothing else; no inline script or style and
 * no eval (script-src without 'unsafe-*'), images only from here or data: URLs, never framed, no <base>.
 */
export const CONSOLE_CSP: Directives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'connect-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
};

/** `/admin` and everything below it (not `/administrator`, not `/api/v1/admin`); the query string is ignored. */
export function isConsolePath(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
}

/** `/api/docs` and everything below it (not `/api/docsx`); the query string is ignored. */
export function isDocsPath(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
}

export function cspFor(url: string, docsEnabled: boolean): Directives {
  if (isConsolePath(url)) return CONSOLE_CSP;
  return docsEnabled && isDocsPath(url) ? DOCS_CSP : STRICT_CSP;
}
