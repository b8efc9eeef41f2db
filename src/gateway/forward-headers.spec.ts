import { clientResponseHeaders, upstreamRequestHeaders, type ForwardFacts } from './forward-headers';
import { forwardedTarget } from './gateway-paths';

const facts: ForwardFacts = {
  upstreamHost: 'gen.internal:8001',
  forwardedFor: ['203.0.113.7', '10.0.0.2'],
  proto: 'https',
  host: 'api.example.com',
  identity: { userId: 'u-1', email: 'a@example.com', role: 'user', requestId: 'req-1' },
  signature: 't=1,v1=ab',
  forwardAuthorization: false,
  forwardCookies: false,
};

describe('the headers an upstream receives', () => {
  it("replaces every identity and forwarding field the client sent with Gatehouse's own", () => {
    const out = upstreamRequestHeaders(
      {
        host: 'api.example.com',
        'x-user-id': 'forged',
        'x-user-admin': 'true',
        'x-gatehouse-signature': 'forged',
        'x-gatehouse-other': 'forged',
        forwarded: 'for=1.2.3.4',
        'x-forwarded-for': '1.2.3.4',
        'x-forwarded-port': '1',
        'x-real-ip': '1.2.3.4',
        'x-request-id': 'forged',
        accept: 'application/json',
      },
      facts,
    );
    expect(out).toEqual({
      accept: 'application/json',
      host: 'gen.internal:8001',
      'x-forwarded-for': '203.0.113.7, 10.0.0.2',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.example.com',
      'x-request-id': 'req-1',
      'x-user-id': 'u-1',
      'x-user-email': 'a@example.com',
      'x-user-role': 'user',
      'x-gatehouse-signature': 't=1,v1=ab',
    });
  });

  it('drops hop-by-hop fields and the ones Connection lists; Authorization and cookies only when the route asks', () => {
    const incoming = { connection: 'close, X-Private', 'x-private': '1', 'keep-alive': 'timeout=5', te: 'trailers', upgrade: 'h2c', 'proxy-authorization': 'x', authorization: 'Bearer t', cookie: 'a=1' };
    expect(Object.keys(upstreamRequestHeaders(incoming, facts)).filter((k) => !k.startsWith('x-') && k !== 'host')).toEqual([]);
    expect(upstreamRequestHeaders(incoming, { ...facts, forwardAuthorization: true, forwardCookies: true })).toMatchObject({ authorization: 'Bearer t', cookie: 'a=1' });
  });
});

describe('the headers a client receives from an upstream', () => {
  it('drops hop-by-hop fields, the upstream request id and Set-Cookie unless allowed', () => {
    const upstream = { connection: 'x-secret', 'x-secret': '1', 'transfer-encoding': 'chunked', 'set-cookie': ['a=1'], 'x-request-id': 'theirs', 'content-type': 'text/plain' };
    expect(clientResponseHeaders(upstream, false)).toEqual({ 'content-type': 'text/plain' });
    expect(clientResponseHeaders(upstream, true)).toEqual({ 'content-type': 'text/plain', 'set-cookie': ['a=1'] });
  });
});

describe('the forwarded path', () => {
  it('is what follows /api/v1/gw/<name>, query included', () => {
    expect(forwardedTarget('/api/v1/gw/gen/v1/chat?stream=1', 'gen')).toBe('/v1/chat?stream=1');
    expect(forwardedTarget('/api/v1/gw/gen/', 'gen')).toBe('/');
    expect(forwardedTarget('/api/v1/gw/gen/a/..b/c...', 'gen')).toBe('/a/..b/c...');
    expect(forwardedTarget('/api/v1/gw/gen/x?q=../..', 'gen')).toBe('/x?q=../..');
  });

  it('refuses a dot segment, plain or encoded, and encoding that does not decode', () => {
    for (const url of ['/api/v1/gw/gen/../x', '/api/v1/gw/gen/a/./b', '/api/v1/gw/gen/%2e%2E/x', '/api/v1/gw/gen/a%2F..%2Fb', '/api/v1/gw/gen/a%5c..', '/api/v1/gw/gen/%E0', '/api/v1/gw/other/x']) {
      expect([url, forwardedTarget(url, 'gen')]).toEqual([url, undefined]);
    }
  });
});
