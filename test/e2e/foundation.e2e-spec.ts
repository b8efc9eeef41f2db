import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CurrentPrincipalProbe } from '../support/probe';
import { Public } from '../../src/common/decorators/public.decorator';
import { startTestApp, TestApp } from '../support/app';

class ProbeDto {
  @IsEmail() email!: string;
  @IsOptional() @IsString() @MaxLength(10) name?: string;
}

@Controller('probe')
class ProbeController {
  @Public() @Post('echo') echo(@Body() body: ProbeDto): ProbeDto {
    return body;
  }

  @Public() @Get('boom') boom(): never {
    throw new Error('relation "auth.users" violates constraint at /srv/app/dist/x.js:12');
  }
}

@Module({ controllers: [ProbeController, CurrentPrincipalProbe] })
class ProbeModule {}

describe('foundation (whole app on a real Postgres)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' }, { extra: [ProbeModule] });
  });
  afterAll(() => t.close());

  it('GET /health answers without touching anything', async () => {
    const res = await request(t.url).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /ready checks the database', async () => {
    await request(t.url).get('/ready').expect(200, { status: 'ready' });
  });

  it('the migrations created the auth schema', async () => {
    const ds = t.app.get(DataSource);
    const rows: Array<{ table_name: string }> = await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'auth' ORDER BY 1`);
    expect(rows.map((r) => r.table_name)).toEqual([
      'admin_bulk_requests',
      'audit_chain',
      'billing_customers',
      'local_codes',
      'local_credentials',
      'local_dev_secrets',
      'local_mfa_challenges',
      'local_recovery_codes',
      'local_refresh_tokens',
      'login_failures',
      'revoked_sessions',
      'socket_io_attachments',
      'stripe_events',
      'subscriptions',
      'user_events',
      'users',
    ]);
    const statuses: Array<{ s: string }> = await ds.query(`SELECT unnest(enum_range(NULL::auth.user_status))::text AS s`);
    expect(statuses.map((r) => r.s)).toEqual(['pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription', 'active', 'suspended', 'disabled', 'rejected']);
  });

  it('unknown routes are a 404 in the error format, with the request id', async () => {
    const res = await request(t.url).get('/api/v1/does-not-exist').set('X-Request-Id', 'trace-123').expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found', requestId: 'trace-123' } });
    expect(res.headers['x-request-id']).toBe('trace-123');
  });

  it('an unsafe X-Request-Id is replaced, not echoed', async () => {
    const res = await request(t.url).get('/health').set('X-Request-Id', 'a\tb{"x":1}');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('malformed JSON is a 400 MALFORMED_JSON with a request id', async () => {
    const res = await request(t.url).post('/api/v1/probe/echo').set('Content-Type', 'application/json').send('{"email": ').expect(400);
    expect(res.body.error).toMatchObject({ code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' });
    expect(res.body.error.requestId).toEqual(expect.any(String));
  });

  it('a body over the limit is a 413', async () => {
    const res = await request(t.url).post('/api/v1/probe/echo').send({ email: 'a@b.co', name: 'x'.repeat(200_000) }).expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('validation errors are 400 with the field names; unknown fields are refused', async () => {
    const res = await request(t.url).post('/api/v1/probe/echo').send({ email: 'nope', name: 'far too long a name', role: 'admin' }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(res.body.error.fields).sort()).toEqual(['email', 'name', 'role']);
    await request(t.url).post('/api/v1/probe/echo').send({ email: 'a@b.co' }).expect(201, { email: 'a@b.co' });
  });

  it('a fault is a generic 500: no stack, SQL or path reaches the client', async () => {
    const res = await request(t.url).get('/api/v1/probe/boom').expect(500);
    expect(res.body.error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
    expect(JSON.stringify(res.body)).not.toMatch(/relation|constraint|\/srv|\.js/);
  });

  it('routes are closed by default', async () => {
    const res = await request(t.url).get('/api/v1/probe/whoami').expect(401);
    expect(res.body.error.code).toBe('AUTH_TOKEN_MISSING');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('sends security headers', async () => {
    const res = await request(t.url).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.etag).toBeUndefined();
  });

  it('CORS answers listed origins with credentials and ignores others', async () => {
    const ok = await request(t.url).options('/api/v1/probe/echo').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'POST');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const evil = await request(t.url).options('/api/v1/probe/echo').set('Origin', 'https://evil.example.com').set('Access-Control-Request-Method', 'POST');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves the OpenAPI document with bearer auth declared', async () => {
    const res = await request(t.url).get('/api/docs/openapi.json').expect(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
  });

  it('GET /ready is a 503 DATABASE_UNAVAILABLE when the database is gone (and /health stays 200)', async () => {
    const other = await startTestApp();
    try {
      await other.app.get(DataSource).destroy();
      const res = await request(other.url).get('/ready').expect(503);
      expect(res.body.error.code).toBe('DATABASE_UNAVAILABLE');
      await request(other.url).get('/health').expect(200);
    } finally {
      await other.close();
    }
  });
});

describe('development auth bypass', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'development', ALLOW_DEV_AUTH_BYPASS: 'true' }, { extra: [ProbeModule] });
  });
  afterAll(() => t.close());

  it('gives a request without credentials the development admin', async () => {
    const res = await request(t.url).get('/api/v1/probe/whoami').expect(200);
    expect(res.body).toMatchObject({ role: 'admin', provider: 'dev', subject: 'dev-admin' });
  });

  it('does not turn a bad token into the admin', async () => {
    await request(t.url).get('/api/v1/probe/whoami').set('Authorization', 'Bearer not-a-token').expect(401);
  });
});
