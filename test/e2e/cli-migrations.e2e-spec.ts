import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testDatabaseUrl } from '../support/app';
import { CLI, runBuilt } from '../support/built';

/** A database of this suite's own (the run's shared one must keep its schema), dropped at the end. */
function adminUrl(): string {
  const u = new URL(testDatabaseUrl());
  u.pathname = '/postgres';
  return u.toString();
}

async function appliedMigrations(url: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return ((await c.query('SELECT name FROM gatehouse_migrations ORDER BY timestamp')) as { rows: Array<{ name: string }> }).rows.map((r) => r.name);
  } finally {
    await c.end();
  }
}

describe('migrations as a separate step: cli migration:run and migration:revert (issue #12, "Running it in a container")', () => {
  const name = `gh_revert_${randomBytes(4).toString('hex')}`;
  let url: string;
  beforeAll(async () => {
    const admin = new Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(testDatabaseUrl());
    u.pathname = `/${name}`;
    url = u.toString();
  });
  afterAll(async () => {
    const admin = new Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('migration:run applies all, migration:revert takes back the newest (its down), and a second run applies it again', async () => {
    const run = await runBuilt(CLI, ['migration:run'], { DATABASE_URL: url }, undefined, 60_000);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const all = await appliedMigrations(url);
    expect(all.length).toBeGreaterThan(5);
    expect(run.stdout).toContain(`applied ${all.at(-1)!}`);

    const revert = await runBuilt(CLI, ['migration:revert'], { DATABASE_URL: url }, undefined, 60_000);
    expect([revert.code, revert.stdout]).toEqual([0, `reverted ${all.at(-1)!}\n`]);
    expect(await appliedMigrations(url)).toEqual(all.slice(0, -1));

    const again = await runBuilt(CLI, ['migration:run'], { DATABASE_URL: url }, undefined, 60_000);
    expect([again.code, again.stdout]).toEqual([0, `applied ${all.at(-1)!}\n`]);
    expect(await appliedMigrations(url)).toEqual(all);
  });

  it('totp prints the current code for an enrolment secret (development)', async () => {
    const run = await runBuilt(CLI, ['totp', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'], { DATABASE_URL: url }, undefined, 30_000);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d{6}\n$/);
  });
});
