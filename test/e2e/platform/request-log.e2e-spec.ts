import { Module } from '@nestjs/common';
import { Writable } from 'node:stream';
import { DEV_PRINCIPAL } from '../../../src/auth/authenticator';
import { startTestApp, TestApp } from '../../support/app';
import { CurrentPrincipalProbe } from '../../support/probe';
import { waitFor } from '../../support/wait-for';

interface LogLine {
  level: number;
  msg?: string;
  reqId?: string;
  req?: { id?: string; method?: string; url?: string; route?: string; ip?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  userId?: string;
}

describe('one structured log line per request (issue #10)', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    t = await startTestApp({ LOG_LEVEL: 'info' }, { logDestination: capture });
  });
  afterAll(() => t.close());

  const linesFor = async (id: string): Promise<Array<{ text: string; line: LogLine }>> => {
    // The line is written when the response finishes, which can be just after the client has read it.
    await new Promise((r) => setTimeout(r, 50));
    return lines.map((text) => ({ text, line: JSON.parse(text) as LogLine })).filter(({ line }) => line.req?.id === id);
  };

  it('a served request logs exactly one info line with request id, route, status and duration', async () => {
    const res = await fetch(`${t.url}/health?probe=1`, { headers: { 'x-request-id': 'log-health-1' } });
    expect(res.status).toBe(200);
    const found = await linesFor('log-health-1');
    expect(found).toHaveLength(1);
    expect(found[0]!.line).toMatchObject({ level: 30, req: { id: 'log-health-1', method: 'GET', url: '/health', route: '/health' }, res: { statusCode: 200 } });
    expect(found[0]!.line.responseTime).toEqual(expect.any(Number));
  });

  it('a refused request logs its status and route, never the token, cookie or password it carried', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtc3ViamVjdCJ9.c2lnbmF0dXJlLXNlY3JldA';
    const res = await fetch(`${t.url}/api/v1/users/me?token=query-secret`, { headers: { 'x-request-id': 'log-me-1', authorization: `Bearer ${token}`, cookie: 'gatehouse_session=cookie-secret' } });
    expect(res.status).toBe(401);
    const login = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'x-request-id': 'log-login-1', 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'password-secret-123' }),
    });
    expect(login.status).toBe(401);
    const me = await linesFor('log-me-1');
    expect(me).toHaveLength(1);
    expect(me[0]!.line).toMatchObject({ level: 30, req: { route: '/api/v1/users/me', url: '/api/v1/users/me' }, res: { statusCode: 401 } });
    const all = lines.join('\n');
    for (const secret of [token, 'c2lnbmF0dXJlLXNlY3JldA', 'cookie-secret', 'query-secret', 'password-secret-123']) expect(all).not.toContain(secret);
    expect(await linesFor('log-login-1')).toHaveLength(1);
  });

  it('an unknown route is logged once too, with its path and 404', async () => {
    await fetch(`${t.url}/api/v1/nothing-here`, { headers: { 'x-request-id': 'log-404-1' } });
    const found = await linesFor('log-404-1');
    expect(found).toHaveLength(1);
    expect(found[0]!.line).toMatchObject({ level: 30, req: { url: '/api/v1/nothing-here' }, res: { statusCode: 404 } });
  });

  it('names no user on a public or refused request', async () => {
    await fetch(`${t.url}/health`, { headers: { 'x-request-id': 'log-nouser-1' } });
    const found = await linesFor('log-nouser-1');
    expect(found[0]!.line).not.toHaveProperty('userId');
  });
});

@Module({ controllers: [CurrentPrincipalProbe] })
class ProbeModule {}

describe('the request line names the user once the guard knows who is calling (issue 12)', () => {
  let t: TestApp;
  const lines: LogLine[] = [];
  beforeAll(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine));
        done();
      },
    });
    // The development bypass is the one caller whose id needs no account set-up: the dev admin's fixed id.
    t = await startTestApp({ LOG_LEVEL: 'info', NODE_ENV: 'development', ALLOW_DEV_AUTH_BYPASS: 'true' }, { extra: [ProbeModule], logDestination: capture });
  });
  afterAll(() => t.close());

  it('an authenticated request logs the user id', async () => {
    const res = await fetch(`${t.url}/api/v1/probe/whoami`, { headers: { 'x-request-id': 'log-user-1' } });
    expect(res.status).toBe(200);
    await waitFor(() => lines.some((l) => l.req?.id === 'log-user-1'), { timeoutMs: 2_000, what: 'the request line' });
    expect(lines.find((l) => l.req?.id === 'log-user-1')).toMatchObject({ level: 30, userId: DEV_PRINCIPAL.userId, res: { statusCode: 200 } });
  });
});
