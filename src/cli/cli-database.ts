import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { AppConfig } from '../config/config.types';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { EmbeddedInUse, runningPostmaster } from '../database/embedded-postmaster';

/** The database a CLI command works on, and how to let go of it. */
export interface CliDatabase {
  url: string;
  /** Where it came from, for the one line the command prints. */
  source: 'DATABASE_URL' | 'running embedded server' | 'embedded server started by the CLI';
  release(): Promise<void>;
}

const EMBEDDED_DB = 'gatehouse';

/**
 * The embedded Postgres `npm start` is running on DATA_DIR, if any (found through its `postmaster.pid`, see
 * embedded-postmaster.ts); the password is the one embedded-postgres.ts keeps beside the folder.
 */
export function runningEmbedded(dataDir: string): { url: string; pid: number } | undefined {
  const dir = join(dataDir, 'postgres');
  const running = runningPostmaster(dir);
  if (!running || !existsSync(`${dir}.secret`)) return undefined;
  const password = readFileSync(`${dir}.secret`, 'utf8').trim();
  return { url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}/${EMBEDDED_DB}`, pid: running.pid };
}

/** Thrown when the database cannot be reached: the CLI prints its message as the one line (exit 5). */
export class DatabaseUnavailable extends Error {}

async function probe(url: string, where: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new DatabaseUnavailable(`database unreachable (${where}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const describe = (url: string): string => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
};

/**
 * DATABASE_URL when set; else the embedded server `npm start` is running on DATA_DIR (never a second server on the
 * same data folder); else the embedded server started here and stopped again when the command is done.
 */
export async function openCliDatabase(config: AppConfig): Promise<CliDatabase> {
  if (config.databaseUrl) {
    await probe(config.databaseUrl, describe(config.databaseUrl));
    return { url: config.databaseUrl, source: 'DATABASE_URL', release: () => Promise.resolve() };
  }
  const running = runningEmbedded(config.dataDir);
  if (running) {
    await probe(running.url, `the embedded server of ${config.dataDir} (pid ${running.pid})`);
    return { url: running.url, source: 'running embedded server', release: () => Promise.resolve() };
  }
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    embedded = await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), persistent: true, database: EMBEDDED_DB });
  } catch (err) {
    // Both already say which folder and what to do.
    if (err instanceof EmbeddedInUse || /did not start/.test((err as Error).message)) throw new DatabaseUnavailable((err as Error).message);
    throw new DatabaseUnavailable(`the embedded Postgres in ${join(config.dataDir, 'postgres')} did not start: ${(err as Error).message}`);
  }
  return { url: embedded.url, source: 'embedded server started by the CLI', release: () => embedded.stop() };
}
