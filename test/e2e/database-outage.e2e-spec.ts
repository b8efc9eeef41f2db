import { existsSync } from 'node:fs';
import { freePort } from '../../src/database/embedded-postgres';
import { testDatabaseUrl } from '../support/app';
import { MAIN, startBuilt, BuiltServer } from '../support/built';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';

const describeBuilt = existsSync(MAIN) ? describe : describe.skip;

interface Line {
  level?: number;
  msg?: string;
  context?: string;
  retryInMs?: number;
}

/** The built server's JSON lines (anything else, e.g. a stack on stderr, is kept as a message of its own). */
function lines(server: BuiltServer): Line[] {
  return server
    .output()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        return { msg: l };
      }
    });
}

/**
 * The database goes away while the server runs (a TCP proxy in front of the run's Postgres is cut: open connections
 * dropped, new ones refused, as a stopped Postgres does) and comes back. The shared Postgres itself is never touched.
 */
describeBuilt('database down while running (built server behind a proxy that can be cut)', () => {
  let proxy: TcpProxy;
  let server: BuiltServer;

  beforeAll(async () => {
    const p = await TcpProxy.forUrl(testDatabaseUrl());
    proxy = p.proxy;
    server = await startBuilt({ DATABASE_URL: p.url, PORT: String(await freePort()), LOG_LEVEL: 'debug' });
  }, 90_000);

  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop();
    await proxy.cut();
  });

  const base = (): string => {
    const m = /listening on (?:port |http:\/\/[^:]+:)(\d+)/.exec(server.output());
    return `http://127.0.0.1:${m?.[1] ?? '0'}`;
  };
  const login = (): Promise<Response> =>
    fetch(`${base()}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com', password: 'whatever-password' }) });

  it('login answers 503 DATABASE_UNAVAILABLE (not 500) while the database is down, with no driver text', async () => {
    await proxy.cut();
    const res = await login();
    const body = (await res.json()) as { error: { code: string; message: string; requestId?: string } };
    expect(res.status).toBe(503);
    expect(body.error.code).toBe('DATABASE_UNAVAILABLE');
    expect(body.error.requestId).toEqual(expect.any(String));
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Connection terminated|select/i);
  }, 30_000);

  it('the change listener backs off (doubling delays) with one warning for the outage, not one per attempt', async () => {
    const retries = (): Line[] => lines(server).filter((l) => l.msg === 'user change feed reconnect failed');
    await waitFor(() => retries().length >= 3, { timeoutMs: 20_000, what: 'three reconnect attempts' });
    const delays = retries().map((l) => l.retryInMs ?? 0);
    expect(delays[1]).toBe(delays[0]! * 2);
    expect(delays[2]).toBe(delays[1]! * 2);
    expect(lines(server).filter((l) => l.msg?.startsWith('user change feed down'))).toHaveLength(1);
    expect(retries().every((l) => l.level === 20)).toBe(true);
    // The realtime adapter's own reconnects (its LISTEN connection) follow the same rule: one warning, then debug.
    expect(lines(server).filter((l) => l.msg?.startsWith('realtime adapter error') && (l.level ?? 0) >= 40)).toHaveLength(1);
  }, 30_000);

  it('recovers by itself when the database returns: one line saying so, and login answers again', async () => {
    await proxy.restore();
    await waitFor(() => lines(server).some((l) => l.msg?.startsWith('user change feed back')), { timeoutMs: 20_000, what: 'the feed to reconnect' });
    expect(lines(server).filter((l) => l.msg?.startsWith('user change feed down'))).toHaveLength(1);
    const res = await login();
    expect(res.status).toBe(401);
  }, 30_000);

  it('SIGTERM with the database gone closes gracefully (exit 0), not by the 10 s force timer (exit 1)', async () => {
    await proxy.cut();
    expect((await login()).status).toBe(503);
    const started = Date.now();
    const code = await server.stop();
    process.stdout.write(`SIGTERM with the database down: exit ${String(code)} after ${Date.now() - started} ms\n`);
    expect(code).toBe(0);
  }, 30_000);
});

/**
 * The embedded Postgres (a throw-away DATA_DIR of this test's own) stops under a running server, as when it is killed
 * or its machine's Postgres is shut down: requests answer 503 and SIGTERM still ends the server promptly. Before the
 * fix, the embedded stop waited for an exit that had already happened, until the 10 s force timer (exit 1).
 */
describeBuilt('the embedded Postgres stops under a running server', () => {
  it('answers 503 DATABASE_UNAVAILABLE, then SIGTERM exits 0 without waiting for the force timer', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-outage-'));
    const port = await freePort();
    const server = await startBuilt({ DATA_DIR: dataDir, PORT: String(port), NODE_ENV: 'development' }, 120_000);
    try {
      const postmaster = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGINT'); // Postgres's "fast shutdown"
      await waitFor(() => { try { process.kill(postmaster, 0); return false; } catch { return true; } }, { timeoutMs: 20_000, what: 'the postmaster to exit' });
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com', password: 'whatever-password' }) });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DATABASE_UNAVAILABLE');
      const started = Date.now();
      const code = await server.stop();
      process.stdout.write(`SIGTERM after the embedded Postgres stopped: exit ${String(code)} after ${Date.now() - started} ms\n`);
      expect(code).toBe(0);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
