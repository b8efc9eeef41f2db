import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../src/database/data-source';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { setTestState } from './test-state';

/**
 * One fresh database per run, migrated once: the server at TEST_DATABASE_URL when set (CI points it at the machine's
 * Postgres), else a throw-away embedded Postgres, so `npm test` needs nothing installed.
 */
function listening(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port || 6379) });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export default async function globalSetup(): Promise<void> {
  const name = `gatehouse_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  let adminUrl: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (process.env.TEST_DATABASE_URL) {
    adminUrl = process.env.TEST_DATABASE_URL;
  } else {
    const dir = join(mkdtempSync(join(tmpdir(), 'gatehouse-pg-')), 'data');
    const embedded = await startEmbeddedPostgres({ dir, persistent: false, database: 'postgres' });
    adminUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  const ds = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
  await runMigrations(ds);
  await ds.destroy();

  process.env.GATEHOUSE_TEST_DATABASE_URL = databaseUrl;
  // Redis is optional on a newcomer's machine: suites that need it read this to skip (visibly) rather than fail.
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await listening(redisUrl)) process.env.GATEHOUSE_TEST_REDIS_URL = redisUrl;
  else delete process.env.GATEHOUSE_TEST_REDIS_URL;
  setTestState({ adminUrl, databaseName: name, stopEmbedded });
}
