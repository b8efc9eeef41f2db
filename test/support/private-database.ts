import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../src/database/data-source';
import { testDatabaseUrl } from './app';

export interface PrivateDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of the suite's own, on the run's server, migrated from scratch: for tests that must not share the
 * run's database (pruning the whole audit trail, tampering with it with the triggers off). Dropped by `drop()`.
 */
export async function privateDatabase(label: string): Promise<PrivateDatabase> {
  const name = `gatehouse_${label}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const server = new URL(testDatabaseUrl());
  server.pathname = '/postgres';
  const admin = new Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const ds = await new DataSource(dataSourceOptions(url.toString())).initialize();
  await runMigrations(ds);
  await ds.destroy();
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: server.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
