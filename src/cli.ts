import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { bootConfigWithSecrets } from './config/boot-config';
import { AppConfig } from './config/config.types';
import { likelyTypos } from './config/env-names';
import { type AwsEnv, cognitoClientSettings, mfaOffWarning } from './auth';
import { dataSourceOptions, revertLastMigration, runMigrations } from './database/data-source';
import { createAdmin } from './cli/create-admin';
import { openCliDatabase } from './cli/cli-database';
import { join } from 'node:path';
import { stripeReconcile } from './cli/stripe-reconcile';
import { totpCommand } from './cli/totp-code';

/**
 * Gatehouse's command line: `node dist/cli.js <command>` (or `npm run cli -- <command>`), with the same validated
 * configuration as the server. Other modules add commands to COMMANDS.
 */
type Command = (config: AppConfig, args: string[]) => Promise<number>;

interface ProbeResult {
  name: string;
  ok: boolean;
  /** Allowed, but the operator should know (printed as WARN; does not fail the check). */
  warn?: boolean;
  info: string;
}

const PROBE_TIMEOUT_MS = 3_000;

async function withTimeout<T>(work: Promise<T>, ms = PROBE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}${u.port ? ':' + u.port : ''}${u.pathname}`;
}

async function probeDatabase(config: AppConfig): Promise<ProbeResult> {
  if (!config.databaseUrl) return { name: 'database', ok: true, info: `embedded Postgres in ${join(config.dataDir, 'postgres')} (started by npm start; not probed)` };
  const ds = new DataSource(dataSourceOptions(config.databaseUrl));
  try {
    await withTimeout(ds.initialize());
    const pending = await ds.showMigrations();
    return { name: 'database', ok: true, info: `${describeUrl(config.databaseUrl)} reachable${pending ? ', migrations pending (they run at start-up)' : ', schema up to date'}` };
  } catch (err) {
    return { name: 'database', ok: false, info: `${describeUrl(config.databaseUrl)}: ${(err as Error).message}` };
  } finally {
    if (ds.isInitialized) await ds.destroy();
  }
}

async function probeJwks(name: string, url: string): Promise<ProbeResult> {
  try {
    const res = await withTimeout(fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'error' }));
    if (!res.ok) return { name, ok: false, info: `${url}: HTTP ${res.status}` };
    const body = (await res.json()) as { keys?: unknown[] };
    if (!Array.isArray(body.keys) || body.keys.length === 0) return { name, ok: false, info: `${url}: no keys in the JWKS` };
    return { name, ok: true, info: `${url}: ${body.keys.length} key(s)` };
  } catch (err) {
    return { name, ok: false, info: `${url}: ${(err as Error).message}` };
  }
}

async function probeOidc(config: AppConfig): Promise<ProbeResult | undefined> {
  const oidc = config.auth.oidc;
  if (!oidc) return undefined;
  if (oidc.jwksUri) return probeJwks('oidc jwks', oidc.jwksUri);
  const discovery = `${oidc.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  try {
    const res = await withTimeout(fetch(discovery, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'error' }));
    const body = (await res.json()) as { jwks_uri?: string; issuer?: string };
    if (body.issuer !== oidc.issuer) return { name: 'oidc discovery', ok: false, info: `${discovery}: issuer "${String(body.issuer)}" does not match OIDC_ISSUER` };
    if (!body.jwks_uri) return { name: 'oidc discovery', ok: false, info: `${discovery}: no jwks_uri` };
    return probeJwks('oidc jwks', body.jwks_uri);
  } catch (err) {
    return { name: 'oidc discovery', ok: false, info: `${discovery}: ${(err as Error).message}` };
  }
}

async function probeSmtp(config: AppConfig): Promise<ProbeResult> {
  if (!config.smtpUrl) return { name: 'smtp', ok: true, info: 'SMTP_URL not set: mail is written to the log (development)' };
  const nodemailer = await import('nodemailer');
  const transport = nodemailer.createTransport(config.smtpUrl);
  try {
    await withTimeout(transport.verify());
    return { name: 'smtp', ok: true, info: `${describeUrl(config.smtpUrl)} accepts connections` };
  } catch (err) {
    return { name: 'smtp', ok: false, info: `${describeUrl(config.smtpUrl)}: ${(err as Error).message}` };
  } finally {
    transport.close();
  }
}

async function probeRedis(config: AppConfig): Promise<ProbeResult | undefined> {
  if (!config.redisUrl) return undefined;
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: PROBE_TIMEOUT_MS });
  redis.on('error', () => undefined);
  try {
    await withTimeout(redis.connect());
    await withTimeout(redis.ping());
    return { name: 'redis', ok: true, info: `${describeUrl(config.redisUrl)} answers PING` };
  } catch (err) {
    return { name: 'redis', ok: false, info: `${describeUrl(config.redisUrl)}: ${(err as Error).message}` };
  } finally {
    redis.disconnect();
  }
}

/**
 * What the pool's public API allows. The app client id is in every hosted-login redirect, and Cognito's public
 * operations (SignUp, ForgotPassword, ConfirmSignUp, …) need no credentials: with self sign-up open anyone can create
 * accounts and trigger mail directly at the pool, outside Gatehouse's rate limits, budgets and enumeration-safe
 * answers. Gatehouse cannot close that from its side; the pool setting AllowAdminCreateUserOnly can.
 */
async function probeCognitoPool(config: AppConfig, env: AwsEnv): Promise<ProbeResult[]> {
  const cognito = config.auth.cognito;
  if (!cognito) return [];
  const { CognitoIdentityProviderClient, DescribeUserPoolCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const settings = cognitoClientSettings(cognito, env);
  const client = new CognitoIdentityProviderClient({ region: settings.region, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}), ...(settings.credentials ? { credentials: settings.credentials } : {}) });
  try {
    const pool = (await withTimeout(client.send(new DescribeUserPoolCommand({ UserPoolId: cognito.userPoolId })))).UserPool;
    const mfa: ProbeResult =
      pool?.MfaConfiguration === 'OFF'
        ? { name: 'cognito mfa', ok: true, warn: true, info: mfaOffWarning(cognito.userPoolId) }
        : { name: 'cognito mfa', ok: true, info: `${cognito.userPoolId}: MFA is ${pool?.MfaConfiguration ?? 'unknown'}` };
    if (pool?.AdminCreateUserConfig?.AllowAdminCreateUserOnly === true) {
      return [{ name: 'cognito pool', ok: true, info: `${cognito.userPoolId}: self sign-up is off (only administrators create users); ForgotPassword stays public at the pool` }, mfa];
    }
    return [mfa, {
      name: 'cognito pool',
      ok: true,
      warn: true,
      info:
        `${cognito.userPoolId}: self sign-up is OPEN (AllowAdminCreateUserOnly=false): anyone with the app client id (it is in every ` +
        `hosted-login redirect) can call SignUp and ForgotPassword directly at the pool, outside Gatehouse's rate limits, mail budgets ` +
        `and enumeration-safe answers (UsernameExistsException tells accounts apart)`,
    }];
  } catch (err) {
    return [{ name: 'cognito pool', ok: false, info: `DescribeUserPool ${cognito.userPoolId}: ${(err as { name?: string }).name ?? 'Error'}` }];
  } finally {
    client.destroy();
  }
}

export async function configCheck(config: AppConfig, awsEnv: AwsEnv = process.env): Promise<ProbeResult[]> {
  const probes: Array<Promise<ProbeResult | ProbeResult[] | undefined>> = [probeDatabase(config), probeSmtp(config), probeRedis(config), probeOidc(config)];
  if (config.auth.cognito) probes.push(probeJwks('cognito jwks', config.auth.cognito.jwksUri), probeCognitoPool(config, awsEnv));
  const results = (await Promise.all(probes)).flat().filter((r): r is ProbeResult => r !== undefined);
  return [...configResults(config, awsEnv), ...results];
}

/**
 * The configuration itself. A provider that fell back is a failure here although the development server runs with
 * it: the server would not be what AUTH_PROVIDER asks for. A misspelt variable is a warning (it changes nothing).
 */
function configResults(config: AppConfig, env: AwsEnv): ProbeResult[] {
  const fellBack = config.auth.fellBack;
  const head: ProbeResult = fellBack
    ? { name: 'provider', ok: false, info: `AUTH_PROVIDER=${fellBack.from} needs ${fellBack.missing.join(', ')}: the server would fall back to local (production refuses to start)` }
    : { name: 'config', ok: true, info: `valid (NODE_ENV=${config.nodeEnv}, AUTH_PROVIDER=${config.auth.provider})` };
  return [head, ...likelyTypos(env).map((info) => ({ name: 'environment', ok: true, warn: true, info }))];
}

const COMMANDS: Record<string, { help: string; run: Command }> = {
  'stripe:reconcile': { help: 're-sync mapped Stripe subscriptions and replay undelivered events (last 30 days)', run: (config) => stripeReconcile(config) },
  'config:check': {
    help: 'validate the configuration and probe the database, JWKS endpoints, SMTP and Redis',
    run: async (config) => {
      const results = await configCheck(config);
      for (const r of results) process.stdout.write(`${r.ok ? (r.warn ? 'WARN' : 'ok  ') : 'FAIL'}  ${r.name.padEnd(14)} ${r.info}\n`);
      return results.every((r) => r.ok) ? 0 : 1;
    },
  },
  'users:create-admin': {
    help: 'create an administrator: --email E --password P (exit codes: see README, "The first administrator")',
    run: (config, args) => createAdmin(config, args, (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`)),
  },
  'migration:run': {
    help: 'apply pending migrations (the server also does this at start-up)',
    run: async (config) => {
      // The running server's embedded database when there is one (never a second server on the same folder).
      const db = await openCliDatabase(config);
      const ds = new DataSource(dataSourceOptions(db.url));
      try {
        await ds.initialize();
        const applied = await runMigrations(ds);
        process.stdout.write(applied.length ? applied.map((n) => `applied ${n}\n`).join('') : 'no pending migrations\n');
        return 0;
      } finally {
        if (ds.isInitialized) await ds.destroy();
        await db.release();
      }
    },
  },
  'migration:revert': {
    help: "revert the newest applied migration (its down); run it again to go back further. Stop the servers first",
    run: async (config) => {
      const db = await openCliDatabase(config);
      const ds = new DataSource(dataSourceOptions(db.url));
      try {
        await ds.initialize();
        const reverted = await revertLastMigration(ds);
        process.stdout.write(reverted ? `reverted ${reverted}\n` : 'no applied migrations\n');
        return 0;
      } finally {
        if (ds.isInitialized) await ds.destroy();
        await db.release();
      }
    },
  },
  totp: {
    help: 'development only: the current TOTP code for a secret from /auth/mfa/enroll (no phone needed)',
    run: (config, args) => Promise.resolve(totpCommand(config.isProduction, args, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`))),
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stdout.write(`usage: gatehouse <command>\n\n${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(16)} ${c.help}`).join('\n')}\n`);
    return name ? 2 : 0;
  }
  const { config, warnings } = await bootConfigWithSecrets();
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  return command.run(config, args);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
