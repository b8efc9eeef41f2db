import { Body, Controller, Module, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '../../src/common/http/fastify-body';
import { IsString } from 'class-validator';
import { get as httpGet } from 'node:http';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { Public } from '../../src/common/decorators/public.decorator';
import { startTestApp, TestApp } from '../support/app';

class ProbeNoteDto {
  @IsString() note!: string;
}

/** A webhook-like route: it needs the exact bytes (signatures) as well as the parsed body. */
@Controller('probe')
class RawProbeController {
  @Public() @Post('raw') raw(@Req() req: RawBodyRequest, @Body() body: ProbeNoteDto): { note: string; rawLength: number } {
    return { note: body.note, rawLength: req.rawBody?.length ?? -1 };
  }
}

@Module({ controllers: [RawProbeController] })
class RawProbeModule {}

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string; requestId?: string } } & Record<string, unknown>;
}

/** Sends bytes exactly as given (the JSON client would re-encode them). */
async function send(base: string, path: string, body: string | Buffer, headers: Record<string, string>, method = 'POST'): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as Answer['body'] };
}

const JSON_TYPE = { 'content-type': 'application/json' };

describe('HTTP edges: media types, body shape, encodings (issue #9 items 12, 17)', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000' }, { extra: [RawProbeModule] });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const usersWith = async (email: string) => ((await db.query(`SELECT 1 FROM auth.users WHERE email = $1`, [email])) as unknown[]).length;

  describe('JSON only (a cross-site <form> gets no preflight, so it must not reach these routes)', () => {
    it('a form-encoded login or register is 415 UNSUPPORTED_MEDIA_TYPE and changes nothing', async () => {
      const email = `form.${Date.now()}@example.com`;
      const form = new URLSearchParams({ email, password: 'correct horse battery staple' }).toString();
      for (const path of ['/api/v1/auth/register', '/api/v1/auth/login']) {
        const res = await send(t.url, path, form, { 'content-type': 'application/x-www-form-urlencoded' });
        expect(res.status).toBe(415);
        expect(res.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', requestId: expect.any(String) });
      }
      expect(await usersWith(email)).toBe(0);
    });

    it('text/plain (another type a form can send) is 415 even when the text is JSON', async () => {
      const res = await send(t.url, '/api/v1/auth/password/forgot', JSON.stringify({ email: 'a@example.com' }), { 'content-type': 'text/plain' });
      expect(res.status).toBe(415);
      expect(res.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const multipart = await send(t.url, '/api/v1/auth/password/forgot', '--x\r\n\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' });
      expect(multipart.status).toBe(415);
    });

    it('a body with no content type is 415; JSON with a charset or a +json type is served', async () => {
      const bare = await send(t.url, '/api/v1/auth/password/forgot', Buffer.from(JSON.stringify({ email: 'a@example.com' })), {});
      expect(bare.status).toBe(415);
      expect((await send(t.url, '/api/v1/auth/password/forgot', JSON.stringify({ email: 'a@example.com' }), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(202);
      expect((await send(t.url, '/api/v1/probe/raw', JSON.stringify({ note: 'x' }), { 'content-type': 'application/merge-patch+json' })).status).toBe(201);
    });

    it('the raw body stays available for signature checks', async () => {
      const raw = JSON.stringify({ note: 'signed bytes ✓' });
      const res = await send(t.url, '/api/v1/probe/raw', raw, JSON_TYPE);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ note: 'signed bytes ✓', rawLength: Buffer.byteLength(raw) });
    });
  });

  describe('hostile bodies answer 4xx in the error shape, never 500', () => {
    it('a lone surrogate in the email is 400 VALIDATION_FAILED', async () => {
      const res = await send(t.url, '/api/v1/auth/register', '{"email":"\\ud800@example.com","password":"correct horse battery staple"}', JSON_TYPE);
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('VALIDATION_FAILED');
      const login = await send(t.url, '/api/v1/auth/login', '{"email":"\\udfff@example.com","password":"correct horse battery staple"}', JSON_TYPE);
      expect(login.status).toBe(400);
    });

    it('JSON nested 3,000 deep is 400 BODY_TOO_COMPLEX', async () => {
      const deep = `{"email":${'['.repeat(3000)}${']'.repeat(3000)},"password":"x"}`;
      const res = await send(t.url, '/api/v1/auth/login', deep, JSON_TYPE);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'BODY_TOO_COMPLEX', requestId: expect.any(String) });
      const objects = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
      expect((await send(t.url, '/api/v1/auth/login', objects, JSON_TYPE)).body.error?.code).toBe('BODY_TOO_COMPLEX');
    });

    it('a compressed body is 415 UNSUPPORTED_CONTENT_ENCODING, a broken one too', async () => {
      const garbage = await send(t.url, '/api/v1/auth/login', Buffer.from('definitely not deflate'), { ...JSON_TYPE, 'content-encoding': 'deflate' });
      expect(garbage.status).toBe(415);
      expect(garbage.body.error).toMatchObject({ code: 'UNSUPPORTED_CONTENT_ENCODING', requestId: expect.any(String) });
      const body = JSON.stringify({ email: 'a@example.com' });
      for (const [encoding, bytes] of [['deflate', deflateSync(body)], ['deflate', deflateRawSync(body)], ['gzip', Buffer.from('1f8b0800', 'hex')], ['br', Buffer.from('00', 'hex')]] as const) {
        const res = await send(t.url, '/api/v1/auth/password/forgot', bytes, { ...JSON_TYPE, 'content-encoding': encoding });
        expect([res.status, res.body.error?.code]).toEqual([415, 'UNSUPPORTED_CONTENT_ENCODING']);
      }
    });

    it('a very wide object or a huge array just under BODY_LIMIT is refused by its shape, before validation', async () => {
      const keys: string[] = [];
      for (let i = 0; keys.join(',').length < 95_000; i++) keys.push(`"k${i}":1`);
      const wide = await send(t.url, '/api/v1/auth/login', `{${keys.join(',')}}`, JSON_TYPE);
      expect(wide.status).toBe(400);
      expect(wide.body.error?.code).toBe('BODY_TOO_COMPLEX');
      const array = await send(t.url, '/api/v1/auth/login', `{"email":[${Array.from({ length: 45_000 }, () => '1').join(',')}]}`, JSON_TYPE);
      expect(array.body.error?.code).toBe('BODY_TOO_COMPLEX');
      // The error names no fields: a list of 10,000 unknown keys must not come back as a 10,000-entry answer.
      expect(JSON.stringify(wide.body).length).toBeLessThan(400);
    });

    it('a body of ordinary shape with unknown fields is still VALIDATION_FAILED (the shape limit is far above real bodies)', async () => {
      const res = await send(t.url, '/api/v1/auth/login', JSON.stringify({ email: 'a@example.com', password: 'x', a: { b: [1, 2, 3] } }), JSON_TYPE);
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    });
  });
});

/** A GET over plain HTTP with the Host header a browser at another name would send (fetch does not let Host be set). */
function plainHttp(base: string, path: string, host: string): Promise<{ status: number; csp: string; hsts?: string; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, csp: String(res.headers['content-security-policy'] ?? ''), hsts: res.headers['strict-transport-security'] as string | undefined, body }),
      );
    });
    req.on('error', reject);
  });
}

describe('CSP and the API docs switch (issue #9 item 18)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const csp = async (base: string, path: string) => {
    const res = await fetch(`${base}${path}`, { redirect: 'manual' });
    await res.arrayBuffer();
    return { status: res.status, csp: res.headers.get('content-security-policy') ?? '' };
  };

  it('API routes carry a strict policy: nothing inline, nothing loaded', async () => {
    for (const path of ['/health', '/api/v1/auth/status', '/api/v1/nothing-here', '/api/docsx', '/.well-known/jwks.json']) {
      const { csp: policy } = await csp(t.url, path);
      expect([path, policy]).toEqual([path, expect.stringContaining("default-src 'none'")]);
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).toContain("frame-ancestors 'none'");
    }
  });

  it('only the docs path gets the relaxed policy Swagger UI needs', async () => {
    const docs = await csp(t.url, '/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.csp).toContain("'unsafe-inline'");
    expect((await csp(t.url, '/api/docs/swagger-ui-init.js')).csp).toContain("'unsafe-inline'");
  });

  it('outside production the docs page never asks the browser to upgrade to https (plain HTTP at a name other than localhost, issue #12)', async () => {
    // A browser at http://gatehouse.lan:3000/api/docs would rewrite every asset to https:// under
    // `upgrade-insecure-requests` and show a blank page; the Host header is what such a browser sends.
    for (const path of ['/api/docs', '/api/docs/swagger-ui-init.js', '/api/docs/openapi.json', '/api/v1/auth/status']) {
      const answer = await plainHttp(t.url, path, 'gatehouse.lan:3000');
      expect([path, answer.status]).toEqual([path, 200]);
      expect([path, answer.csp]).toEqual([path, expect.not.stringContaining('upgrade-insecure-requests')]);
      expect([path, answer.hsts]).toEqual([path, undefined]);
    }
    // The page's assets are relative, so they load from the address the page was opened at.
    const page = await plainHttp(t.url, '/api/docs', 'gatehouse.lan:3000');
    expect(page.body).not.toMatch(/(src|href)="https:/);
  });

  it('API_DOCS=false serves no docs at all', async () => {
    const off = await startTestApp({ API_DOCS: 'false' });
    try {
      for (const path of ['/api/docs', '/api/docs/', '/api/docs/openapi.json', '/api/docs/swagger-ui-init.js']) {
        expect([path, (await csp(off.url, path)).status]).toEqual([path, 404]);
      }
    } finally {
      await off.close();
    }
  });
});
