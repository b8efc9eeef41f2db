import { existsSync } from 'node:fs';
import { freePort } from '../../src/database/embedded-postgres';
import { testDatabaseUrl } from '../support/app';
import { MAIN, runBuilt } from '../support/built';

const describeBuilt = existsSync(MAIN) ? describe : describe.skip;

interface Line {
  level: number;
  msg: string;
  context?: string;
  [field: string]: unknown;
}

const parse = (stdout: string): Line[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);

/** Issue 12, "Logs that tell the story": what the built server says when it starts, read from its own output. */
describeBuilt('the built server start-up log', () => {
  it('one start line says provider, database, migrations, PUBLIC_URL (from PORT), mail, rate-limit store, docs and address; no Nest mapping lines at info', async () => {
    const port = await freePort();
    const db = new URL(testDatabaseUrl());
    const r = await runBuilt(MAIN, [], { NODE_ENV: 'development', DATABASE_URL: testDatabaseUrl(), PORT: String(port) }, /Gatehouse listening/, 60_000);
    expect(r.code).toBe(0);
    const lines = parse(r.stdout); // JSON throughout: stdout is a pipe here, not a terminal
    const start = lines.find((l) => l.msg.startsWith('Gatehouse listening'))!;
    expect(start.msg).toContain(`(http://0.0.0.0:${port})`);
    expect(start.msg).toContain('provider local;');
    expect(start.msg).toContain(`database ${db.hostname}:${db.port}${db.pathname} (DATABASE_URL)`);
    expect(start.msg).toMatch(/migrations (none pending|\d+ applied now), schema at [A-Za-z]+\d{13};/);
    expect(start.msg).toContain(`PUBLIC_URL http://localhost:${port};`);
    expect(start.msg).toContain('mail to the log (SMTP_URL unset); rate limits in memory;');
    expect(start.msg).toContain(`docs http://localhost:${port}/api/docs;`);
    expect(start).toMatchObject({ provider: 'local', mail: 'log', rateLimitStore: 'memory', publicUrl: `http://localhost:${port}`, listen: `http://0.0.0.0:${port}` });
    expect(lines.filter((l) => ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'].includes(l.context ?? ''))).toEqual([]);
    expect(lines.some((l) => /Mapped \{/.test(l.msg))).toBe(false);
  }, 90_000);

  it('in development with the dev bypass it listens on loopback only; a PUBLIC_URL on another port than PORT is a warning', async () => {
    const port = await freePort();
    const r = await runBuilt(
      MAIN,
      [],
      { NODE_ENV: 'development', ALLOW_DEV_AUTH_BYPASS: 'true', DATABASE_URL: testDatabaseUrl(), PORT: String(port), PUBLIC_URL: 'http://localhost:3000' },
      /Gatehouse listening/,
      60_000,
    );
    expect(r.code).toBe(0);
    const lines = parse(r.stdout);
    expect(lines.find((l) => l.msg.startsWith('Gatehouse listening'))!.msg).toContain(`(http://127.0.0.1:${port})`);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: `PUBLIC_URL http://localhost:3000 points at port 3000 but the server listens on PORT ${port}: tokens and mailed links will name the wrong server (unset PUBLIC_URL to derive it from PORT)` }),
    );
  }, 90_000);
});
