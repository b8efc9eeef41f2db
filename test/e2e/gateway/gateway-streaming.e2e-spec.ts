import { request as httpRequest, ClientRequest, IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { Upstream, closedPort } from '../../support/upstream';
import { waitFor } from '../../support/wait-for';
import { GatewayHarness, routesFile, send } from './gateway-fixture';

/** A request whose body the test writes piece by piece; `answer` resolves with the response once its headers arrive. */
function open(base: string, method: string, path: string, headers: Record<string, string>): { req: ClientRequest; answer: Promise<IncomingMessage> } {
  const { hostname, port } = new URL(base);
  const req = httpRequest({ host: hostname, port, method, path, headers });
  const answer = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  return { req, answer };
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => resolve(text));
  });
}

/**
 * Issue 17: bodies stream both ways (never buffered), and the upstream's failures, a client that leaves, and upgrade
 * attempts are handled. Each test proves streaming by order of events, never by time: the upstream must see the first
 * bytes while the client still holds the last ones back, and the client must read one event before the next is written.
 */
describe('gateway: streaming and failures', () => {
  const upstream = new Upstream();
  const h = new GatewayHarness();
  let bearer = '';
  let releaseSecond: () => void = () => undefined;

  beforeAll(async () => {
    await upstream.start();
    upstream.on('/events', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: one\n\n');
      new Promise<void>((r) => (releaseSecond = r)).then(() => res.end('data: two\n\n'));
    });
    // Never answers: the slow service, and the one a leaving client must cancel.
    upstream.on('/hang', () => undefined);
    const file = routesFile({
      svc: upstream.base,
      slow: { url: upstream.base, timeoutMs: 300 },
      down: `http://127.0.0.1:${await closedPort()}`,
      small: { url: upstream.base, bodyLimit: '1kb' },
    });
    await h.start({ GATEWAY_ROUTES_FILE: file });
    bearer = (await h.user()).bearer;
  });
  afterAll(async () => {
    releaseSecond();
    await h.stop();
    await upstream.stop();
  });

  it('a large upload streams: the upstream sees the first bytes before the client has sent the last', async () => {
    const chunk = Buffer.alloc(256 * 1024, 7);
    const { req, answer } = open(h.t.url, 'PUT', '/api/v1/gw/svc/upload', { authorization: bearer, 'content-type': 'application/octet-stream', 'content-length': String(chunk.length * 20) });
    req.write(chunk);
    // Had Gatehouse buffered the body, nothing would reach the upstream until the end below.
    await waitFor(() => (upstream.to('/upload')[0]?.bytes ?? 0) > 0, { timeoutMs: 10_000, what: 'the first bytes at the upstream' });
    expect(upstream.to('/upload')[0]!.complete).toBe(false);
    for (let i = 1; i < 20; i++) req.write(chunk);
    req.end();
    const res = await answer;
    await readAll(res);
    expect(res.statusCode).toBe(200);
    expect(upstream.to('/upload')[0]).toMatchObject({ bytes: chunk.length * 20, complete: true });
  });

  it('server-sent events pass event by event', async () => {
    const { req, answer } = open(h.t.url, 'GET', '/api/v1/gw/svc/events', { authorization: bearer, accept: 'text/event-stream' });
    req.end();
    const res = await answer;
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'text/event-stream']);
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    const ended = new Promise((r) => res.on('end', r));
    // The upstream holds the second event back until the client has the first: buffering would never get here.
    await waitFor(() => text.includes('data: one'), { timeoutMs: 10_000, what: 'the first event at the client' });
    expect(text).not.toContain('two');
    releaseSecond();
    await ended;
    expect(text).toBe('data: one\n\ndata: two\n\n');
  });

  it('an upstream that is down: 502 UPSTREAM_UNAVAILABLE, in the error shape, no cause shown', async () => {
    const res = await send(h.t.url, 'GET', '/api/v1/gw/down/x', { headers: { authorization: bearer } });
    expect([res.status, res.json.error?.code, res.json.error?.requestId]).toEqual([502, 'UPSTREAM_UNAVAILABLE', res.headers['x-request-id']]);
    expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it("an upstream slower than the route's timeout: 504 UPSTREAM_TIMEOUT", async () => {
    const res = await send(h.t.url, 'GET', '/api/v1/gw/slow/hang', { headers: { authorization: bearer } });
    expect([res.status, res.json.error?.code]).toEqual([504, 'UPSTREAM_TIMEOUT']);
  });

  it('a client that disconnects cancels the upstream request, before the answer and during an upload', async () => {
    const waiting = open(h.t.url, 'GET', '/api/v1/gw/svc/hang?who=waiting', { authorization: bearer });
    waiting.answer.catch(() => undefined);
    waiting.req.end();
    await waitFor(() => upstream.seen.some((s) => s.url === '/hang?who=waiting'), { timeoutMs: 10_000, what: 'the request at the upstream' });
    waiting.req.destroy();
    await waitFor(() => upstream.seen.find((s) => s.url === '/hang?who=waiting')!.abandoned, { timeoutMs: 10_000, what: 'the upstream request cancelled' });

    const uploading = open(h.t.url, 'POST', '/api/v1/gw/svc/hang?who=uploading', { authorization: bearer, 'content-type': 'application/octet-stream', 'content-length': String(10 * 1024 * 1024) });
    uploading.answer.catch(() => undefined);
    uploading.req.write(Buffer.alloc(64 * 1024, 1));
    await waitFor(() => (upstream.seen.find((s) => s.url === '/hang?who=uploading')?.bytes ?? 0) > 0, { timeoutMs: 10_000, what: 'upload bytes at the upstream' });
    uploading.req.destroy();
    await waitFor(() => upstream.seen.find((s) => s.url === '/hang?who=uploading')!.abandoned, { timeoutMs: 10_000, what: 'the upload cancelled' });
    expect(upstream.seen.find((s) => s.url === '/hang?who=uploading')!.complete).toBe(false);
  });

  it("a body over the route's limit: 413 before the upstream is called when declared, and the upload stopped when not", async () => {
    const declared = await send(h.t.url, 'POST', '/api/v1/gw/small/declared', { headers: { authorization: bearer, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(2048) });
    expect([declared.status, declared.json.error?.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(upstream.to('/declared')).toEqual([]);
    const { req, answer } = open(h.t.url, 'POST', '/api/v1/gw/small/chunked', { authorization: bearer, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
    req.write(Buffer.alloc(512));
    req.write(Buffer.alloc(1024));
    req.end();
    const res = await answer;
    expect([res.statusCode, JSON.parse(await readAll(res)).error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    for (const seen of upstream.to('/chunked')) expect(seen.complete).toBe(false);
  });

  it('a WebSocket upgrade to an upstream is refused (501 NOT_SUPPORTED), with or without a token, and never forwarded', async () => {
    const before = upstream.seen.length;
    const { port } = new URL(h.t.url);
    for (const auth of ['', `authorization: ${bearer}\r\n`]) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`GET /api/v1/gw/svc/ws HTTP/1.1\r\nhost: x\r\n${auth}connection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        });
        let text = '';
        socket.on('data', (c) => (text += c.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 501 Not Implemented');
      expect(answer).toContain('"code":"NOT_SUPPORTED"');
    }
    expect(upstream.seen.length).toBe(before);
  });
});

describe('gateway: X-Forwarded-For under TRUST_PROXY', () => {
  const upstream = new Upstream();
  const h = new GatewayHarness();
  beforeAll(async () => {
    await upstream.start();
    await h.start({ GATEWAY_ROUTES: `svc=${upstream.base}`, TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await h.stop();
    await upstream.stop();
  });

  it('one trusted hop: the upstream gets the address that hop saw, then the hop; what the client wrote before it is dropped', async () => {
    const { bearer } = await h.user();
    await send(h.t.url, 'GET', '/api/v1/gw/svc/x', { headers: { authorization: bearer, 'x-forwarded-for': '192.0.2.66, 203.0.113.10', 'x-forwarded-proto': 'https' } });
    expect(upstream.seen.at(-1)!.headers).toMatchObject({ 'x-forwarded-for': '203.0.113.10, 127.0.0.1', 'x-forwarded-proto': 'https' });
  });
});
