import 'reflect-metadata';
import { join } from 'node:path';
import { createApp } from './app.setup';
import { bootConfigWithSecrets } from './config/boot-config';
import { startEmbeddedPostgres, EmbeddedDatabase } from './database/embedded-postgres';
import { databaseUrlProblem } from './database/database-url-check';
import { portInUse } from './common/port-check';
import { MIGRATION_REPORT, MigrationReport } from './database/database.module';
import { startLine } from './start-line';

async function main(): Promise<void> {
  const started = Date.now();
  const { config, warnings, fromSecrets } = await bootConfigWithSecrets();

  let embedded: EmbeddedDatabase | undefined;
  if (await portInUse(config.port, config.host)) {
    process.stderr.write(`Configuration error: PORT ${config.port} is already in use by another process: stop it or set PORT\n`);
    process.exit(78);
  }
  let databaseUrl = config.databaseUrl;
  // A URL that cannot work is a configuration error: one line, exit 78, before the app's own retries and traces.
  const problem = databaseUrl ? await databaseUrlProblem(databaseUrl) : undefined;
  if (problem) {
    process.stderr.write(`Configuration error: ${problem}\n`);
    process.exit(78);
  }
  if (!databaseUrl) {
    process.stdout.write(JSON.stringify({ level: 30, msg: `DATABASE_URL not set: starting the embedded Postgres in ${join(config.dataDir, 'postgres')}` }) + '\n');
    embedded = await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), persistent: true, database: 'gatehouse' });
    databaseUrl = embedded.url;
    if (embedded.stoppedOrphan) process.stdout.write(JSON.stringify({ level: 40, msg: `stopped the embedded Postgres (PID ${embedded.stoppedOrphan}) a Gatehouse that is gone left running, and started it again` }) + '\n');
  }

  const app = await createApp(config, databaseUrl);
  const logger = app.get(
    (await import('nestjs-pino')).Logger,
  );
  for (const warning of warnings) logger.warn(warning, 'Config');
  if (fromSecrets.length) logger.log(`loaded from AWS Secrets Manager: ${fromSecrets.join(', ')}`, 'Config');

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down`, 'Main');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      await embedded?.stop();
    } finally {
      process.exit(0);
    }
  };
  // embedded-postgres installs async-exit-hook, whose own SIGTERM/SIGINT handlers stop Postgres and exit 128+signal,
  // racing the graceful close below (in-flight requests cut, exit 143). The shutdown here stops the embedded Postgres
  // itself, after the app, so it is the only handler.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen(config.port, config.host);
  const line = startLine(config, { databaseUrl, embedded: embedded !== undefined, migrations: app.get<MigrationReport>(MIGRATION_REPORT), startedMs: Date.now() - started });
  logger.log({ ...line.fields, msg: line.msg }, 'Main');
}

main().catch((err: unknown) => {
  process.stderr.write(`Gatehouse failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
