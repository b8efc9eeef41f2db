import { request as httpRequest } from 'node:http';
import { API_PREFIX } from '../../../src/app.setup';
import { startTestApp, TestApp } from '../../support/app';
import { registeredRoutes, withParams } from '../../support/routes';

interface Route {
  method: string;
  path: string;
}

interface RawAnswer {
  status: number;
  body: string;
}

/** Sends the path exactly as written: fetch and URL would normalise doubled slashes and dot segments. */
function raw(base: string, method: string, path: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  const body = ['GET', 'HEAD', 'OPTIONS'].includes(method) ? undefined : '{}';
  const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The error code of an answer, or its text when it is not the error shape. */
function codeOf(body: string): string {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? body;
  } catch {
    return `not JSON: ${body.slice(0, 80)}`;
  }
}

/** Every handler that is neither @Public() nor @OptionalAuth(). */
function protectedRoutes(t: TestApp): Route[] {
  return registeredRoutes(t.app)
    .filter((r) => !r.open)
    .map((r) => ({ method: r.method, path: withParams(r.path, '00000000-0000-4000-8000-000000000001') }));
}

/** Other spellings of one path a router or a proxy might treat as the same resource. */
function spellings(path: string): string[] {
  const segments = path.split('/');
  const last = segments[segments.length - 1]!;
  const encoded = `%${last.charCodeAt(0).toString(16).toUpperCase()}${last.slice(1)}`;
  return [
    `${path}/`,
    `/${path}`,
    path.replace(`/${API_PREFIX}/`, `/${API_PREFIX}//`),
    `${path}//`,
    path.toUpperCase(),
    [...segments.slice(0, -1), last.toUpperCase()].join('/'),
    [...segments.slice(0, -1), encoded].join('/'),
    path.replace(/\/([^/]+)$/, '%2F$1'),
    `${path}?x=1`,
    `${path}/.`,
    `${path};x=1`,
  ];
}

describe('every protected route refuses an anonymous caller, however its path is spelled (issue #10)', () => {
  let t: TestApp;
  let routes: Route[];
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
    routes = protectedRoutes(t);
  });
  afterAll(() => t.close());

  it('finds the protected routes from Nest itself', () => {
    expect(routes.length).toBeGreaterThanOrEqual(5);
    expect(routes).toEqual(expect.arrayContaining([{ method: 'GET', path: '/api/v1/users/me' }, { method: 'POST', path: '/api/v1/auth/sign-out' }]));
  });

  it('the canonical path answers 401 AUTH_TOKEN_MISSING', async () => {
    for (const r of routes) {
      const res = await raw(t.url, r.method, r.path);
      expect([r.method, r.path, res.status, codeOf(res.body)]).toEqual([r.method, r.path, 401, 'AUTH_TOKEN_MISSING']);
    }
  });

  it('every other spelling reaches the same guard (401) or is refused (400/404), never served', async () => {
    for (const r of routes) {
      for (const path of spellings(r.path)) {
        const res = await raw(t.url, r.method, path);
        expect([r.method, path, [400, 401, 404].includes(res.status)]).toEqual([r.method, path, true]);
        expect([path, codeOf(res.body)]).toEqual([path, expect.stringMatching(/^(AUTH_TOKEN_MISSING|NOT_FOUND|BAD_REQUEST)$/)]);
      }
    }
  });

  it('HEAD on a protected GET route is 401 too, with no body', async () => {
    for (const r of routes.filter((x) => x.method === 'GET')) {
      for (const path of [r.path, ...spellings(r.path)]) {
        const res = await raw(t.url, 'HEAD', path);
        expect([path, [401, 404, 400].includes(res.status), res.body]).toEqual([path, true, '']);
      }
      expect((await raw(t.url, 'HEAD', r.path)).status).toBe(401);
    }
  });

  it('OPTIONS on a protected route never reaches the handler: a CORS preflight answer without a body, or a refusal', async () => {
    for (const r of routes) {
      for (const path of [r.path, ...spellings(r.path)]) {
        const res = await raw(t.url, 'OPTIONS', path);
        if (res.status === 204) expect([path, res.body]).toEqual([path, '']);
        else expect([path, [400, 401, 404].includes(res.status)]).toEqual([path, true]);
      }
    }
  });
});
