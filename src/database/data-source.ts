import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';

/** Compiled app: dist/database → dist/migrations/*.js. Under ts-jest: src/database → migrations/*.ts. */
function migrationsGlob(): string {
  return __filename.endsWith('.ts') ? join(__dirname, '..', '..', 'migrations', '*.ts') : join(__dirname, '..', 'migrations', '*.js');
}

/**
 * The one set of DataSource options, used by the app (through TypeOrmModule), the `cli` migration commands and the
 * tests. `synchronize` is never on: the schema changes only through migrations/.
 */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: [migrationsGlob()],
    migrationsTableName: 'gatehouse_migrations',
    entities: [],
    applicationName: 'gatehouse',
    extra: { max: 20, connectionTimeoutMillis: 5_000 },
    logging: false,
  };
}

/** An arbitrary constant: every Gatehouse instance takes this advisory lock, so two instances never migrate at once. */
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * Applies pending migrations under an advisory lock; returns the names of those applied. Refuses to go on when no
 * migration was found at all: a partial build (dist/ without dist/migrations) would otherwise start, pass /ready on an
 * empty database and answer every request with a 500.
 */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  if (ds.migrations.length === 0) {
    throw new Error(`no migrations found at ${migrationsGlob()}: the build is incomplete (npm run build compiles them)`);
  }
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * Reverts the newest applied migration (its `down`) under the same advisory lock; returns its name, or undefined when
 * none is applied. One at a time on purpose: each step back is a decision.
 */
export async function revertLastMigration(ds: DataSource): Promise<string | undefined> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const table = `"${ds.options.migrationsTableName ?? 'migrations'}"`;
    const exists = (await runner.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [table])) as Array<{ present: boolean }>;
    if (!exists[0]?.present) return undefined;
    const newest = (await runner.query(`SELECT name FROM ${table} ORDER BY timestamp DESC, id DESC LIMIT 1`)) as Array<{ name: string }>;
    if (!newest[0]) return undefined;
    await ds.undoLastMigration({ transaction: 'each' });
    return newest[0].name;
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/** For the TypeORM CLI (`npx typeorm -d dist/database/data-source.js …`): same options, URL from the env. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/gatehouse'));
