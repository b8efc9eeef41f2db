import { join } from 'node:path';
import { DOCS_PATH } from './common/http/content-security';
import type { AppConfig } from './config/config.types';
import type { MigrationReport } from './database/database.module';

export interface StartFacts {
  /** The URL the app connects with (the embedded one's, or DATABASE_URL): only host, port and name are shown. */
  databaseUrl: string;
  embedded: boolean;
  migrations: MigrationReport;
  startedMs: number;
}

/** host:port of a URL, never its credentials. */
function endpoint(url: string, defaultPort: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}`;
}

function listenUrl(config: AppConfig): string {
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
}

/**
 * The one line that says how this instance runs: everything an operator checks after a start (which provider, and
 * whether it fell back; which database; what the migrations did; the public URL; where mail and rate-limit counters
 * go; where the docs are; the listening address), in words and as fields for log queries. Never a credential.
 */
export function startLine(config: AppConfig, facts: StartFacts): { msg: string; fields: Record<string, unknown> } {
  const fellBack = config.auth.fellBack;
  const provider = fellBack ? `${config.auth.provider} (fell back from ${fellBack.from}: missing ${fellBack.missing.join(', ')})` : config.auth.provider;
  const db = endpoint(facts.databaseUrl, '5432');
  const database = facts.embedded ? `embedded Postgres at ${db} in ${join(config.dataDir, 'postgres')}` : `${db}${new URL(facts.databaseUrl).pathname} (DATABASE_URL)`;
  const applied = facts.migrations.applied.length;
  const migrations = `${applied ? `${applied} applied now` : 'none pending'}, schema at ${facts.migrations.latest ?? '(none)'}`;
  const mail = config.smtpUrl ? `via SMTP ${endpoint(config.smtpUrl, '25')}` : 'to the log (SMTP_URL unset)';
  const rateLimits = config.redisUrl ? `in Redis ${endpoint(config.redisUrl, '6379')}` : 'in memory';
  const docs = config.apiDocs ? `${config.publicUrl}${DOCS_PATH}` : 'off (API_DOCS=false)';
  const listen = listenUrl(config);
  const msg =
    `Gatehouse listening on port ${config.port} (${listen}) after ${facts.startedMs} ms: provider ${provider}; database ${database}; ` +
    `migrations ${migrations}; PUBLIC_URL ${config.publicUrl}; mail ${mail}; rate limits ${rateLimits}; docs ${docs}; NODE_ENV ${config.nodeEnv}`;
  return {
    msg,
    fields: {
      listen,
      provider: config.auth.provider,
      ...(fellBack ? { providerRequested: fellBack.from } : {}),
      database: facts.embedded ? `embedded ${db}` : db,
      migrationsApplied: applied,
      schema: facts.migrations.latest,
      publicUrl: config.publicUrl,
      mail: config.smtpUrl ? 'smtp' : 'log',
      rateLimitStore: config.redisUrl ? 'redis' : 'memory',
      docs: config.apiDocs ? `${config.publicUrl}${DOCS_PATH}` : null,
      nodeEnv: config.nodeEnv,
      startupMs: facts.startedMs,
    },
  };
}
