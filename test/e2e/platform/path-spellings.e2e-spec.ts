import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { request as httpRequest } from 'node:http';
import { API_PREFIX } from '../../../src/app.setup';
import { OPTIONAL_AUTH_KEY } from '../../../src/common/decorators/auth.decorators';
import { IS_PUBLIC } from '../../../src/common/decorators/public.decorator';
import { startTestApp, TestApp } from '../../support/app';

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

const join = (...parts: string[]): string => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;

/** Every handler Nest registered that is neither @Public() nor @OptionalAuth(), from Nest's own metadata (no hand list). */
function protectedRoutes(t: TestApp): Route[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new (...args: never[]) => object) | undefined;
    if (!type || !wrapper.instance) continue;
    const base = (Reflect.getMetadata(PATH_METADATA, type) as string | undefined) ?? '';
    const proto = Object.getPrototypeOf(wrapper.instance) as Record<string, (...args: unknown[]) => unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name]!;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      const targets = [handler, type];
      if (reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) || reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH_KEY, targets)) continue;
      // Route parameters get a well-formed value: the guard must refuse before any lookup.
      const full = join(API_PREFIX, base, path).replace(/:[A-Za-z_]+/g, '00000000-0000-4000-8000-000000000001');
      routes.push({ method: RequestMethod[method]!, path: full });
    }
  }
  return routes;
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
