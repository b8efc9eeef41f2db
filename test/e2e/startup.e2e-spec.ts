import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from '../../src/database/embedded-postgres';
import { testDatabaseUrl } from '../support/app';
import { CLI, MAIN, runBuilt as run } from '../support/built';

/**
 * Opens the persisted embedded cluster the way the server does (in a plain node process: jest's module system can't
 * load the ESM-only embedded-postgres) and runs one SQL statement against it.
 */
async function sqlOnEmbedded(dataDir: string, sql: string, params: string[]): Promise<number> {
  const script = `
    const { startEmbeddedPostgres } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'database', 'embedded-postgres.js'))});
    const { Client } = require('pg');
    (async () => {
      const db = await startEmbeddedPostgres({ dir: process.argv[1] + '/postgres', persistent: true, database: 'gatehouse' });
      const c = new Client({ connectionString: db.url });
      await c.connect();
      const r = await c.query(process.argv[2], JSON.parse(process.argv[3]));
      await c.end();
      await db.stop();
      process.stdout.write(String(r.rowCount));
    })().catch((e) => { process.stderr.write(String(e)); process.exit(1); });`;
  const r = await run('-e', [script, dataDir, sql, JSON.stringify(params)], {});
  if (r.code !== 0) throw new Error(r.stderr);
  return Number(r.stdout);
}

// These exercise the compiled app (`npm test` builds first through `pretest`).
const describeBuilt = existsSync(MAIN) ? describe : describe.skip;

describeBuilt('start-up of the built server', () => {
  it('a bad config value stops start-up with one clear line naming the variable', async () => {
    const r = await run(MAIN, [], { JWT_SECRET_KEY: 'too-short', DATABASE_URL: testDatabaseUrl() });
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toEqual(['Configuration error: JWT_SECRET_KEY must be at least 32 bytes (generate one with `openssl rand -base64 48`)']);
    expect(r.stdout).toBe('');
  });

  it('USE_SECRETS_MANAGER=true that cannot be honoured stops start-up with one line (server and CLI alike)', async () => {
    const env = { USE_SECRETS_MANAGER: 'true', DATABASE_URL: testDatabaseUrl(), AWS_REGION: '', AWS_SECRETS_REGION: '' };
    for (const r of [await run(MAIN, [], env), await run(CLI, ['config:check'], env)]) {
      expect(r.code).toBe(78);
      expect(r.stderr.trim().split('\n')).toEqual(['Configuration error: USE_SECRETS_MANAGER=true needs AWS_SECRETS_REGION (or AWS_REGION)']);
    }
  });

  it('the dev bypass stops start-up in production', async () => {
    const r = await run(MAIN, [], { NODE_ENV: 'production', ALLOW_DEV_AUTH_BYPASS: 'true', DATABASE_URL: testDatabaseUrl(), PUBLIC_URL: 'https://gh.example.com', AUTH_PROVIDER: 'oidc', OIDC_ISSUER: 'https://idp.example.com', OIDC_AUDIENCE: 'api' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('ALLOW_DEV_AUTH_BYPASS must not be true when NODE_ENV=production');
  });

  it('with DATABASE_URL it migrates, listens, logs JSON and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const r = await run(MAIN, [], { DATABASE_URL: testDatabaseUrl(), PORT: String(port) }, /Gatehouse listening/);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
    expect(lines.some((l) => /Gatehouse listening on port \d+/.test(l.msg))).toBe(true);
    expect(lines.some((l) => /SIGTERM: shutting down/.test(l.msg))).toBe(true);
    expect(r.code).toBe(0);
  });

  it('without DATABASE_URL it starts the embedded Postgres under DATA_DIR, and the data survives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-data-'));
    try {
      const first = await run(MAIN, [], { DATA_DIR: dataDir, PORT: String(await freePort()) }, /Gatehouse listening/);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('starting the embedded Postgres');
      expect(statSync(join(dataDir, 'postgres.secret')).mode & 0o077).toBe(0);
      // Write a row into the persisted cluster, start the server again, then read the row back.
      const marker = `restart-${Date.now()}@example.com`;
      expect(await sqlOnEmbedded(dataDir, `INSERT INTO auth.users (email, issuer, subject, auth_provider) VALUES ($1::text, 'test', $1::text, 'local')`, [marker])).toBe(1);
      const again = await run(MAIN, [], { DATA_DIR: dataDir, PORT: String(await freePort()) }, /Gatehouse listening/);
      expect(again.code).toBe(0);
      expect(await sqlOnEmbedded(dataDir, 'SELECT email FROM auth.users WHERE email = $1', [marker])).toBe(1);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('cli config:check prints one line per dependency and fails when one is down', async () => {
    const good = await run(CLI, ['config:check'], { DATABASE_URL: testDatabaseUrl() });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ok {4}config/m);
    expect(good.stdout).toMatch(/^ok {4}database .*schema up to date/m);
    const port = await freePort();
    const bad = await run(CLI, ['config:check'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none`, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL {2}database/m);
    expect(bad.stdout).toMatch(/^FAIL {2}redis/m);
    expect(bad.stdout).not.toContain('password');
  });
});
