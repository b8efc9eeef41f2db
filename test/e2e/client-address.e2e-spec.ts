import { Writable } from 'node:stream';
import { DeferredWork } from '../../src/common/deferred/deferred-work';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { JsonClient } from '../support/http';

/**
 * Per-IP limits, logs and audit rows behind a proxy (issue #9 item 7). The test client connects from 127.0.0.1, which
 * plays the load balancer; X-Forwarded-For carries the address the proxy saw.
 */
describe('client address and the per-IP budget', () => {
  const forgot = (api: JsonClient, xff?: string) =>
    api.call('POST', '/api/v1/auth/password/forgot', { body: { email: `who.${Math.random()}@example.com` }, headers: xff ? { 'x-forwarded-for': xff } : {} });
  const statuses = async (n: number, send: (i: number) => Promise<{ status: number }>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await send(i)).status);
    return out;
  };

  describe('TRUST_PROXY off (the default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '5', RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE: '100' });
    });
    afterAll(() => t.close());

    it('a faked X-Forwarded-For does not change the key: one client cannot dodge its budget', async () => {
      const api = new JsonClient(t.url);
      expect(await statuses(6, (i) => forgot(api, `198.51.100.${i + 1}`))).toEqual([202, 202, 202, 202, 202, 429]);
    });
  });

  describe('TRUST_PROXY=1 (one load balancer in front)', () => {
    let t: TestApp;
    let api: JsonClient;
    const lines: string[] = [];
    beforeAll(async () => {
      const capture = new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(...chunk.toString().split('\n').filter(Boolean));
          done();
        },
      });
      t = await startTestApp({ TRUST_PROXY: '1', RATE_LIMIT_AUTH_PER_MINUTE: '5', RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE: '100', LOG_LEVEL: 'debug' }, { logDestination: capture });
      api = new JsonClient(t.url);
    });
    afterAll(() => t.close());

    it('two clients behind the proxy get separate budgets', async () => {
      expect(await statuses(6, () => forgot(api, '203.0.113.10'))).toEqual([202, 202, 202, 202, 202, 429]);
      expect((await forgot(api, '203.0.113.11')).status).toBe(202);
      // Only the hop the proxy appended counts: a client-written entry in front of it changes nothing.
      expect((await forgot(api, '192.0.2.99, 203.0.113.10')).status).toBe(429);
    });

    it("one client's hits on /login, /register and /refresh draw on one budget", async () => {
      const headers = { 'x-forwarded-for': '203.0.113.20' };
      const answers = await statuses(6, (i) =>
        [
          () => api.call('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'wrong password!' }, headers }),
          () => api.call('POST', '/api/v1/auth/register', { body: { email: `r${Date.now()}@example.com`, password: 'correct horse battery staple' }, headers }),
          () => api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'not-a-token' }, headers }),
        ][i % 3]!(),
      );
      expect(answers.slice(0, 5)).not.toContain(429);
      expect(answers[5]).toBe(429);
    });

    it('the audit row and the log line carry the client address, not the proxy', async () => {
      const address = `audit.${Date.now()}@example.com`;
      const headers = { 'x-forwarded-for': '203.0.113.30' };
      // A second registration of the address writes an audit row with the caller's address.
      for (let i = 0; i < 2; i++) {
        expect((await api.call('POST', '/api/v1/auth/register', { body: { email: address, password: 'correct horse battery staple' }, headers })).status).toBe(202);
      }
      // The audit row is per-account work, written after the 202.
      await t.app.get(DeferredWork).settled();
      const db = t.app.get(DataSource);
      const rows = (await db.query(
        `SELECT e.detail FROM auth.user_events e JOIN auth.users u ON u.id = e.user_id WHERE u.email = $1 AND e.detail ? 'ip'`,
        [address],
      )) as Array<{ detail: { ip: string } }>;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.detail.ip)).toEqual(rows.map(() => '203.0.113.30'));
      const logged = lines.map((l) => JSON.parse(l) as { req?: { url?: string; ip?: string } }).filter((l) => l.req?.url === '/api/v1/auth/register' && l.req.ip);
      expect(logged.map((l) => l.req!.ip)).toContain('203.0.113.30');
    });
  });

  describe('TRUST_PROXY as a list of proxy addresses', () => {
    it('X-Forwarded-For counts only when the connection comes from a listed proxy', async () => {
      const trusted = await startTestApp({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1', RATE_LIMIT_AUTH_PER_MINUTE: '2', RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE: '100' });
      const untrusted = await startTestApp({ TRUST_PROXY: '10.0.0.0/8', RATE_LIMIT_AUTH_PER_MINUTE: '2', RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE: '100' });
      try {
        const a = new JsonClient(trusted.url);
        expect(await statuses(3, (i) => forgot(a, `203.0.113.${40 + i}`))).toEqual([202, 202, 202]);
        const b = new JsonClient(untrusted.url);
        expect(await statuses(3, (i) => forgot(b, `203.0.113.${40 + i}`))).toEqual([202, 202, 429]);
      } finally {
        await trusted.close();
        await untrusted.close();
      }
    });
  });

  describe('tighter budgets on the sensitive routes', () => {
    it('login has its own per-route budget inside the shared one; other routes keep the shared one', async () => {
      const t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '20', RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE: '2' });
      try {
        const api = new JsonClient(t.url);
        const login = () => api.post('/api/v1/auth/login', { email: 'nobody@example.com', password: 'wrong password!' });
        expect(await statuses(3, login)).toEqual([401, 401, 429]);
        expect((await api.post('/api/v1/auth/refresh', { refreshToken: 'not-a-token' })).status).toBe(401);
        // register is budgeted apart from login.
        expect((await api.post('/api/v1/auth/register', { email: `s${Date.now()}@example.com`, password: 'correct horse battery staple' })).status).toBe(202);
      } finally {
        await t.close();
      }
    });
  });
});
