import { verifyGatehouseSignature } from '../../../src/gateway';
import { Upstream } from '../../support/upstream';
import { GatewayHarness, routesFile, SECRET, send } from './gateway-fixture';

/**
 * Issue 17: who reaches an upstream through `/api/v1/gw/<name>/…`, and what it is told. Real upstream HTTP servers on
 * loopback, real RS256 tokens from a loopback JWKS issuer, the whole app as production wires it.
 */
describe('gateway: authentication, identity and the signature', () => {
  const upstream = new Upstream();
  const h = new GatewayHarness();
  const gw = (path: string) => `/api/v1/gw/${path}`;

  beforeAll(async () => {
    await upstream.start();
    const file = routesFile({
      svc: upstream.base,
      based: { url: `${upstream.base}/base` },
      admins: { url: upstream.base, roles: ['admin'] },
      readonly: { url: upstream.base, methods: ['GET'] },
      withauth: { url: upstream.base, forwardAuthorization: true, forwardCookies: true, allowSetCookie: true },
    });
    await h.start({ GATEWAY_ROUTES_FILE: file });
    upstream.on('/cookie', (_req, res) => res.writeHead(200, { 'set-cookie': 'planted=1; Path=/', 'content-type': 'text/plain' }).end('ok'));
    upstream.on('/hop', (_req, res) => res.writeHead(200, { connection: 'x-upstream-private', 'x-upstream-private': 'secret', 'keep-alive': 'timeout=5', 'x-kept': 'yes' }).end('ok'));
  });
  afterAll(async () => {
    await h.stop();
    await upstream.stop();
  });

  it('no token: 401 AUTH_TOKEN_MISSING and nothing reaches the upstream; a bad token 401 too', async () => {
    const before = upstream.seen.length;
    const none = await send(h.t.url, 'POST', gw('svc/anything'), { headers: { 'content-type': 'application/octet-stream' }, body: 'x'.repeat(1000) });
    expect([none.status, none.json.error?.code]).toEqual([401, 'AUTH_TOKEN_MISSING']);
    const bad = await send(h.t.url, 'GET', gw('svc/anything'), { headers: { authorization: 'Bearer not.a.token' } });
    expect([bad.status, bad.json.error?.code]).toEqual([401, 'AUTH_TOKEN_INVALID']);
    // An unknown route name is not revealed to an anonymous caller either.
    expect((await send(h.t.url, 'GET', gw('nosuch/x'))).status).toBe(401);
    expect(upstream.seen.length).toBe(before);
  });

  it('a user who is not active is refused (403, their status code) and nothing reaches the upstream', async () => {
    const before = upstream.seen.length;
    for (const [status, code] of [
      ['suspended', 'USER_SUSPENDED'],
      ['pending_approval', 'ONBOARDING_INCOMPLETE'],
      ['disabled', 'USER_DISABLED'],
    ] as const) {
      const u = await h.user(status);
      const res = await send(h.t.url, 'GET', gw('svc/x'), { headers: { authorization: u.bearer } });
      expect([status, res.status, res.json.error?.code]).toEqual([status, 403, code]);
    }
    expect(upstream.seen.length).toBe(before);
  });

  it('a role-restricted route: 403 FORBIDDEN for a user, forwarded for an admin', async () => {
    const user = await h.user();
    const admin = await h.user('active', ['Admins']);
    const before = upstream.seen.length;
    const refused = await send(h.t.url, 'GET', gw('admins/report'), { headers: { authorization: user.bearer } });
    expect([refused.status, refused.json.error?.code]).toEqual([403, 'FORBIDDEN']);
    expect(upstream.seen.length).toBe(before);
    const served = await send(h.t.url, 'GET', gw('admins/report'), { headers: { authorization: admin.bearer } });
    expect(served.status).toBe(200);
    expect(upstream.to('/report').at(-1)!.headers['x-user-role']).toBe('admin');
  });

  it('method, path, query string and body reach the upstream as sent; a base path is kept', async () => {
    const u = await h.user();
    const res = await send(h.t.url, 'PATCH', gw('svc/items/7?a=1&b=%20x&a=2'), {
      headers: { authorization: u.bearer, 'content-type': 'text/plain' },
      body: 'plain text, not JSON',
    });
    expect(res.status).toBe(200);
    const seen = upstream.seen.at(-1)!;
    expect([seen.method, seen.url, Buffer.concat(seen.body).toString()]).toEqual(['PATCH', '/items/7?a=1&b=%20x&a=2', 'plain text, not JSON']);
    await send(h.t.url, 'DELETE', gw('based/deep/path'), { headers: { authorization: u.bearer } });
    expect(upstream.seen.at(-1)!.url).toBe('/base/deep/path');
    expect((await send(h.t.url, 'GET', gw('based/'), { headers: { authorization: u.bearer } })).status).toBe(200);
    expect(upstream.seen.at(-1)!.url).toBe('/base/');
  });

  it('a method the route does not allow is 405 with Allow; an unknown route 404; a dot segment 400', async () => {
    const u = await h.user();
    const before = upstream.seen.length;
    const post = await send(h.t.url, 'POST', gw('readonly/x'), { headers: { authorization: u.bearer, 'content-type': 'application/json' }, body: '{}' });
    expect([post.status, post.json.error?.code, post.headers.allow]).toEqual([405, 'METHOD_NOT_ALLOWED', 'GET, HEAD']);
    const unknown = await send(h.t.url, 'GET', gw('nosuch/x'), { headers: { authorization: u.bearer } });
    expect([unknown.status, unknown.json.error?.code]).toEqual([404, 'NOT_FOUND']);
    for (const path of ['based/../admin', 'based/%2e%2e/admin', 'based/a/%2E./b', 'based/a%2f..%2fb']) {
      const res = await send(h.t.url, 'GET', gw(path), { headers: { authorization: u.bearer } });
      expect([path, res.status]).toEqual([path, 400]);
    }
    expect(upstream.seen.length).toBe(before);
  });

  it('spoofed identity and forwarding headers never reach the upstream: it sees only what Gatehouse wrote', async () => {
    const u = await h.user();
    const res = await send(h.t.url, 'GET', gw('svc/whoami'), {
      headers: {
        authorization: u.bearer,
        'x-user-id': 'someone-else',
        'X-User-Role': 'admin',
        'x-user-email': 'boss@example.com',
        'x-user-groups': 'Admins',
        'x-gatehouse-signature': 't=1,v1=' + '0'.repeat(64),
        'x-gatehouse-anything': 'x',
        forwarded: 'for=203.0.113.9;proto=https',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        'x-real-ip': '203.0.113.9',
        'x-request-id': 'chosen-by-client',
        cookie: 'gh_session=abc',
        'x-app-header': 'kept',
      },
    });
    expect(res.status).toBe(200);
    const seen = upstream.seen.at(-1)!.headers;
    expect(seen).toMatchObject({
      'x-user-id': u.id,
      'x-user-role': 'user',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': new URL(h.t.url).host,
      'x-request-id': res.headers['x-request-id'],
      'x-app-header': 'kept',
      host: new URL(upstream.base).host,
    });
    expect(seen['x-user-email']).toMatch(/@example\.com$/);
    expect(seen['x-user-email']).not.toBe('boss@example.com');
    // Gone: the forged ones Gatehouse does not write, the caller's credentials.
    for (const name of ['x-user-groups', 'x-gatehouse-anything', 'forwarded', 'x-real-ip', 'authorization', 'cookie']) expect([name, seen[name]]).toEqual([name, undefined]);
    expect(seen['x-gatehouse-signature']).not.toContain('t=1,');
  });

  it("the signature verifies with the shipped function; a tampered header, another path or an old timestamp do not", async () => {
    const u = await h.user();
    await send(h.t.url, 'POST', gw('svc/generate?model=small'), { headers: { authorization: u.bearer, 'content-type': 'application/json' }, body: '{"prompt":"hi"}' });
    const seen = upstream.seen.at(-1)!;
    const req = { method: seen.method, url: seen.url, headers: seen.headers };
    const ok = verifyGatehouseSignature(req, SECRET);
    expect(ok).toMatchObject({ ok: true, userId: u.id, role: 'user', requestId: seen.headers['x-request-id'] });
    const now = Math.floor(Date.now() / 1000);
    expect(verifyGatehouseSignature({ ...req, headers: { ...req.headers, 'x-user-role': 'admin' } }, SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyGatehouseSignature({ ...req, headers: { ...req.headers, 'x-user-id': 'another' } }, SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyGatehouseSignature({ ...req, url: '/generate?model=large' }, SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyGatehouseSignature({ ...req, url: '/admin' }, SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyGatehouseSignature({ ...req, method: 'DELETE' }, SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyGatehouseSignature(req, 'another-secret-of-enough-length-0123456789')).toEqual({ ok: false, reason: 'mismatch' });
    // Replayed two minutes later (the default tolerance is 60 s).
    expect(verifyGatehouseSignature(req, SECRET, { nowS: now + 120 })).toEqual({ ok: false, reason: 'expired' });
    const { ['x-gatehouse-signature']: _gone, ...unsigned } = req.headers;
    expect(verifyGatehouseSignature({ ...req, headers: unsigned }, SECRET)).toEqual({ ok: false, reason: 'missing' });
  });

  it('Authorization and cookies are not forwarded by default, and are where the route asks for them', async () => {
    const u = await h.user();
    await send(h.t.url, 'GET', gw('svc/x'), { headers: { authorization: u.bearer, cookie: 'a=1' } });
    expect(upstream.seen.at(-1)!.headers).not.toHaveProperty('authorization');
    expect(upstream.seen.at(-1)!.headers).not.toHaveProperty('cookie');
    await send(h.t.url, 'GET', gw('withauth/x'), { headers: { authorization: u.bearer, cookie: 'a=1' } });
    expect(upstream.seen.at(-1)!.headers).toMatchObject({ authorization: u.bearer, cookie: 'a=1' });
  });

  it("the upstream's Set-Cookie is dropped unless the route allows it", async () => {
    const u = await h.user();
    const dropped = await send(h.t.url, 'GET', gw('svc/cookie'), { headers: { authorization: u.bearer } });
    expect([dropped.status, dropped.text, dropped.headers['set-cookie']]).toEqual([200, 'ok', undefined]);
    const allowed = await send(h.t.url, 'GET', gw('withauth/cookie'), { headers: { authorization: u.bearer } });
    expect(allowed.headers['set-cookie']).toEqual(['planted=1; Path=/']);
  });

  it('hop-by-hop headers (RFC 9110 §7.6.1) and the fields Connection names stop at Gatehouse, both ways', async () => {
    const u = await h.user();
    const res = await send(h.t.url, 'GET', gw('svc/hop'), {
      headers: { authorization: u.bearer, connection: 'keep-alive, x-client-private', 'x-client-private': 'secret', te: 'trailers', 'proxy-authorization': 'Basic eA==' },
    });
    expect([res.status, res.headers['x-kept'], res.headers['x-upstream-private'], res.headers['x-request-id']]).toEqual([200, 'yes', undefined, expect.any(String)]);
    const seen = upstream.seen.at(-1)!.headers;
    for (const name of ['x-client-private', 'te', 'proxy-authorization']) expect([name, seen[name]]).toEqual([name, undefined]);
  });
});
