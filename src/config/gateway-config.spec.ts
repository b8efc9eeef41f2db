import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config';
import { problemsOf } from '../../test/support/config-problems';

const SECRET = 'x'.repeat(32);

function file(content: string): string {
  const path = join(tmpdir(), `gw-config-${process.pid}-${Math.random()}.json`);
  writeFileSync(path, content);
  return path;
}

describe('GATEWAY_* configuration', () => {
  it('is off by default: no routes, no secret needed', () => {
    expect(loadConfig({}).config.gateway).toEqual({ routes: [], signingSecret: undefined });
  });

  it('GATEWAY_ROUTES: name=url pairs with the defaults (every method, no roles, nothing of the caller forwarded)', () => {
    const { routes } = loadConfig({ GATEWAY_ROUTES: 'generation=http://127.0.0.1:8001, rag=http://127.0.0.1:8002/base/', GATEWAY_SIGNING_SECRET: SECRET }).config.gateway;
    expect(routes).toEqual([
      { name: 'generation', url: 'http://127.0.0.1:8001', roles: [], methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], timeoutMs: 30_000, bodyLimitBytes: 256 * 1024 * 1024, forwardAuthorization: false, forwardCookies: false, allowSetCookie: false },
      expect.objectContaining({ name: 'rag', url: 'http://127.0.0.1:8002/base' }),
    ]);
  });

  it('GATEWAY_ROUTES_FILE: per-route roles, methods, timeout, body limit and forwarding options', () => {
    const path = file(JSON.stringify({ gen: { url: 'https://gen.internal', roles: ['admin'], methods: ['GET', 'POST'], timeoutMs: 5000, bodyLimit: '10mb', forwardAuthorization: true, allowSetCookie: true }, rag: 'http://rag:1' }));
    const { routes } = loadConfig({ GATEWAY_ROUTES_FILE: path, GATEWAY_SIGNING_SECRET: SECRET, GATEWAY_TIMEOUT_MS: '1000' }).config.gateway;
    expect(routes[0]).toEqual({ name: 'gen', url: 'https://gen.internal', roles: ['admin'], methods: ['GET', 'POST'], timeoutMs: 5000, bodyLimitBytes: 10 * 1024 * 1024, forwardAuthorization: true, forwardCookies: false, allowSetCookie: true });
    expect(routes[1]).toMatchObject({ name: 'rag', timeoutMs: 1000 });
  });

  it('routes without GATEWAY_SIGNING_SECRET (or with a short one) stop start-up: an upstream could not check who sent a request', () => {
    expect(problemsOf({ GATEWAY_ROUTES: 'a=http://127.0.0.1:1' })).toEqual([expect.stringMatching(/^GATEWAY_SIGNING_SECRET is required when gateway routes are configured/)]);
    expect(problemsOf({ GATEWAY_ROUTES: 'a=http://127.0.0.1:1', GATEWAY_SIGNING_SECRET: 'short' })).toEqual(['GATEWAY_SIGNING_SECRET must be at least 32 bytes']);
  });

  it('refuses, one line each: a bad name or URL, a duplicate, an unknown option, a bad role, method, timeout or limit, both sources', () => {
    const s = { GATEWAY_SIGNING_SECRET: SECRET };
    expect(problemsOf({ ...s, GATEWAY_ROUTES: 'Bad_Name=http://h:1' })).toEqual([expect.stringMatching(/^GATEWAY_ROUTES route "Bad_Name": the name/)]);
    for (const url of ['ftp://h', 'http://u:p@h', 'http://h/?q=1', 'http://h/#f', 'not a url']) {
      expect([url, problemsOf({ ...s, GATEWAY_ROUTES: `a=${url}` })]).toEqual([url, [expect.stringMatching(/"url" must be an http\(s\) URL/)]]);
    }
    expect(problemsOf({ ...s, GATEWAY_ROUTES: 'a=http://h:1,a=http://h:2' })).toEqual(['GATEWAY_ROUTES names route "a" twice']);
    expect(problemsOf({ ...s, GATEWAY_ROUTES: 'nourl' })).toHaveLength(1);
    const bad = file(JSON.stringify({ a: { url: 'http://h:1', role: ['admin'], roles: ['root'], methods: ['TRACE'], timeoutMs: 0, bodyLimit: '1gb', forwardCookies: 'yes' } }));
    expect(problemsOf({ ...s, GATEWAY_ROUTES_FILE: bad })).toHaveLength(6);
    expect(problemsOf({ ...s, GATEWAY_ROUTES_FILE: file('{not json') })).toEqual(['GATEWAY_ROUTES_FILE cannot be read as JSON (syntax error)']);
    expect(problemsOf({ ...s, GATEWAY_ROUTES_FILE: '/nonexistent/routes.json' })).toEqual(['GATEWAY_ROUTES_FILE cannot be read as JSON (ENOENT)']);
    expect(problemsOf({ ...s, GATEWAY_ROUTES_FILE: file('[]') })).toEqual(['GATEWAY_ROUTES_FILE must hold a JSON object of routes by name']);
    expect(problemsOf({ ...s, GATEWAY_ROUTES: 'a=http://h:1', GATEWAY_ROUTES_FILE: file('{}') })).toEqual(['GATEWAY_ROUTES and GATEWAY_ROUTES_FILE are both set: use one']);
    expect(problemsOf({ GATEWAY_BODY_LIMIT: '1gb' })).toHaveLength(1);
  });
});
