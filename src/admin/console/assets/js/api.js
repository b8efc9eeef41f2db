// Calls to Gatehouse's own API. Same origin, so the browser attaches the HTTP-only session cookie and an Origin
// header on writes (the guard's CSRF rule); no token is ever held by a script or written to storage.

export class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error ? body.error : {};
    super(e.message || `Request failed (${status})`);
    this.status = status;
    this.code = e.code || 'HTTP_' + status;
    this.requestId = e.requestId || null;
    this.details = e;
  }
}

const PREFIX = '/api/v1';

/** One JSON call; resolves { body, etag } or rejects with ApiError (the stable error shape). */
export async function call(method, path, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(PREFIX + path, init);
  } catch {
    throw new ApiError(0, { error: { code: 'NETWORK', message: 'Gatehouse did not answer. Check the connection and try again.' } });
  }
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) throw new ApiError(res.status, parsed);
  return { body: parsed, etag: res.headers.get('etag') };
}

export const get = (path) => call('GET', path).then((r) => r.body);
export const post = (path, body = {}, headers) => call('POST', path, body, headers);

/** Query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A message for a failed call, with its code and request id (for a support ticket). */
export function describeError(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong in the console. Reload the page and try again.';
  const ref = err.requestId ? ` (request ${err.requestId})` : '';
  return `${err.message} [${err.code}]${ref}`;
}
