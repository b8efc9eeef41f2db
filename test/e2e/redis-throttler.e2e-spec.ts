import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { RedisThrottlerStorage } from '../../src/common/throttling/redis-throttler.storage';
import { startTestApp } from '../support/app';
import { JsonClient } from '../support/http';

/** Set by the global setup when something answers on TEST_REDIS_URL (CI and this machine; maybe not a laptop). */
const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL;
const withRedis = REDIS_URL ? it : it.skip;
if (!REDIS_URL) process.stdout.write('[redis-throttler] no Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379): the Redis cases are skipped\n');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rate limits stored in Redis (REDIS_URL)', () => {
  let storage: RedisThrottlerStorage | undefined;
  beforeAll(() => {
    if (REDIS_URL) storage = new RedisThrottlerStorage(REDIS_URL);
  });
  afterAll(() => storage?.onApplicationShutdown());
  const key = () => `test-${randomUUID()}`;

  withRedis('counts to the limit, then blocks for blockDuration, then starts over', async () => {
    const k = key();
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await storage!.increment(k, 60_000, 3, 400, 't'));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([[1, false], [2, false], [3, false], [4, true]]);
    expect(hits[3]!.timeToBlockExpire).toBe(1);
    expect((await storage!.increment(k, 60_000, 3, 400, 't')).isBlocked).toBe(true);
    await sleep(450);
    expect(await storage!.increment(k, 60_000, 3, 400, 't')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  withRedis('a window expires after ttl', async () => {
    const k = key();
    await storage!.increment(k, 300, 10, 1000, 't');
    expect((await storage!.increment(k, 300, 10, 1000, 't')).totalHits).toBe(2);
    await sleep(350);
    expect((await storage!.increment(k, 300, 10, 1000, 't')).totalHits).toBe(1);
  });

  withRedis('50 concurrent hits count exactly 50, and throttler names do not share counters', async () => {
    const k = key();
    const all = await Promise.all(Array.from({ length: 50 }, () => storage!.increment(k, 60_000, 100, 1000, 'a')));
    expect(all.map((r) => r.totalHits).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await storage!.increment(k, 60_000, 100, 1000, 'b')).totalHits).toBe(1);
  });

  it('fails closed: Redis unreachable is 503 RATE_LIMIT_UNAVAILABLE, never an unlimited pass', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dead = new RedisThrottlerStorage(`redis://127.0.0.1:${port}`);
    try {
      await sleep(100);
      await expect(dead.increment('k', 1000, 1, 1000, 't')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE', status: 503 });
    } finally {
      dead.onApplicationShutdown();
    }
  });

  withRedis('two instances share one login lockout through Redis', async () => {
    const env = { REDIS_URL: REDIS_URL!, LOGIN_MAX_ATTEMPTS: '3', RATE_LIMIT_AUTH_PER_MINUTE: '1000' };
    const [a, b] = [await startTestApp(env), await startTestApp(env)];
    try {
      const email = `${randomUUID()}@example.com`;
      const tryLogin = (app: typeof a) => new JsonClient(app.url).post('/api/v1/auth/login', { email, password: 'some password' });
      expect((await tryLogin(a)).status).toBe(401);
      expect((await tryLogin(b)).status).toBe(401);
      expect((await tryLogin(a)).status).toBe(401);
      const locked = await tryLogin(b);
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
