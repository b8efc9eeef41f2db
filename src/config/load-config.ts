import { resolve } from 'node:path';
import { likelyTypos } from './env-names';
import { Env, EnvReader } from './env-reader';
import { nodeEnvOf, nodeEnvProblem } from './node-env';
import { readGateway } from './gateway-config';
import { readStripe } from './stripe-config';
import { parseTrustProxy, TrustProxy } from './trust-proxy';
import { readAuth } from './auth-config';
import { publicUrlPortWarning, readHost } from './listen-config';
import { AppConfig, NodeEnv } from './config.types';

/** Thrown when the environment cannot make a valid configuration; each problem is one line naming the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: AppConfig;
  /** Things that are allowed but deserve a loud line in the log (development fallbacks, the dev bypass). */
  warnings: string[];
}


/**
 * Validates the whole environment once and returns a typed, frozen configuration. Pure: reads only `env`, so it is
 * unit-tested directly and shared by the server, the CLI and the tests.
 */
export function loadConfig(env: Env): LoadedConfig {
  const r = new EnvReader(env);
  const warnings: string[] = [];

  const decided = nodeEnvOf(env);
  if (typeof decided === 'object') r.problems.push(nodeEnvProblem(decided.invalid));
  const nodeEnv: NodeEnv = typeof decided === 'object' ? 'production' : decided;
  const isProduction = nodeEnv === 'production';
  const port = r.int('PORT', 3000, 0, 65535);
  const logLevel = r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info');
  const databaseUrl = r.url('DATABASE_URL', { protocols: ['postgres:', 'postgresql:'] });
  const publicUrl = (r.url('PUBLIC_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  // Unset in development: this server, on its own PORT. Set: checked against PORT (a .env copied before PORT changed).
  const portWarning = r.has('PUBLIC_URL') ? publicUrlPortWarning(publicUrl, port, nodeEnv) : undefined;
  if (portWarning) warnings.push(portWarning);
  if (isProduction && !r.has('PUBLIC_URL')) r.fail('PUBLIC_URL', 'is required when NODE_ENV=production (it is the token issuer and the base of mailed links)');
  if (isProduction && !databaseUrl) r.fail('DATABASE_URL', 'is required when NODE_ENV=production (the embedded Postgres is for development only)');

  const corsOrigins = r.list('CORS_ORIGINS');
  for (const origin of corsOrigins) {
    if (origin === '*') {
      r.fail('CORS_ORIGINS', 'must list exact origins; "*" is refused because credentials are allowed for listed origins');
      continue;
    }
    try {
      const u = new URL(origin);
      if (u.origin !== origin) throw new Error('not an origin');
    } catch {
      r.fail('CORS_ORIGINS', `must be a comma-separated list of origins like https://app.example.com (bad entry "${origin.slice(0, 60)}")`);
    }
  }

  const allowDevAuthBypass = r.bool('ALLOW_DEV_AUTH_BYPASS', false);
  if (allowDevAuthBypass && isProduction) {
    r.fail('ALLOW_DEV_AUTH_BYPASS', 'must not be true when NODE_ENV=production (it grants admin access without credentials)');
  } else if (allowDevAuthBypass && nodeEnv !== 'development') {
    r.fail('ALLOW_DEV_AUTH_BYPASS', 'must only be true when NODE_ENV=development (it grants admin access without credentials)');
  } else if (allowDevAuthBypass) {
    warnings.push('ALLOW_DEV_AUTH_BYPASS=true: requests without credentials act as a development ADMIN. Never deploy this.');
  }

  const host = readHost(r, nodeEnv, allowDevAuthBypass, warnings);
  const auth = readAuth(r, isProduction, warnings, publicUrl);

  let dataEncryptionKey: Buffer | undefined;
  const dekRaw = r.raw('DATA_ENCRYPTION_KEY');
  if (dekRaw !== undefined) {
    dataEncryptionKey = decodeKey(dekRaw);
    if (!dataEncryptionKey) r.fail('DATA_ENCRYPTION_KEY', 'must be 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)');
  } else if (isProduction && auth.provider === 'local') {
    r.fail('DATA_ENCRYPTION_KEY', 'is required when NODE_ENV=production with the local provider (it encrypts TOTP secrets at rest)');
  }

  const smtpUrl = r.url('SMTP_URL', { protocols: ['smtp:', 'smtps:'] });
  if (isProduction && auth.provider === 'local' && !r.has('SMTP_URL')) {
    r.fail('SMTP_URL', 'is required when NODE_ENV=production with the local provider (it mails verification and reset codes)');
  }

  const authPerMinute = r.int('RATE_LIMIT_AUTH_PER_MINUTE', 30, 1, 100_000);
  const config: AppConfig = {
    nodeEnv,
    isProduction,
    port,
    host,
    logLevel,
    databaseUrl,
    dataDir: resolve(r.string('DATA_DIR', './.data')),
    publicUrl,
    frontendUrl: r.url('FRONTEND_URL'),
    corsOrigins,
    bodyLimit: readBodyLimit(r),
    apiDocs: r.bool('API_DOCS', !isProduction),
    redisUrl: r.url('REDIS_URL', { protocols: ['redis:', 'rediss:'] }),
    allowDevAuthBypass: allowDevAuthBypass && nodeEnv === 'development',
    auth,
    trustProxy: readTrustProxy(r),
    rateLimits: {
      authPerMinute,
      authSensitivePerMinute: r.int('RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE', Math.ceil(authPerMinute / 3), 1, 100_000),
      loginMaxAttempts: r.int('LOGIN_MAX_ATTEMPTS', 10, 1, 1_000),
      loginWindowS: r.int('LOGIN_ATTEMPT_WINDOW_S', 900, 1, 86_400),
      loginLockoutS: r.int('LOGIN_LOCKOUT_S', 900, 1, 86_400),
    },
    onboarding: {
      approval: r.bool('ONBOARDING_REQUIRE_APPROVAL', true),
      mfa: r.bool('ONBOARDING_REQUIRE_MFA', true),
      subscription: r.bool('ONBOARDING_REQUIRE_SUBSCRIPTION', true),
    },
    dataEncryptionKey,
    smtpUrl,
    mailFrom: r.string('MAIL_FROM', 'Gatehouse <no-reply@localhost>'),
    stripe: readStripe(r, env, isProduction),
    realtime: {
      maxMessageBytes: r.int('WS_MAX_MESSAGE_BYTES', 16_384, 1_024, 1_048_576),
      eventsPerSecond: r.int('WS_EVENTS_PER_SECOND', 10, 1, 10_000),
      eventBurst: r.int('WS_EVENT_BURST', 20, 1, 100_000),
      maxConnectionsPerUser: r.int('WS_MAX_CONNECTIONS_PER_USER', 10, 1, 10_000),
      pingIntervalMs: r.int('WS_PING_INTERVAL_MS', 25_000, 1_000, 300_000),
      pingTimeoutMs: r.int('WS_PING_TIMEOUT_MS', 20_000, 1_000, 300_000),
    },
    audit: { retentionDays: r.int('AUDIT_RETENTION_DAYS', 400, 0, 36_500) },
    adminBulk: { idempotencyHours: r.int('ADMIN_BULK_IDEMPOTENCY_HOURS', 24, 1, 8_760) },
    gateway: readGateway(r),
  };

  warnings.push(...likelyTypos(env));
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return { config: deepFreeze(config), warnings };
}

function readTrustProxy(r: EnvReader): TrustProxy {
  const parsed = parseTrustProxy(r.raw('TRUST_PROXY'));
  if (typeof parsed === 'object' && !Array.isArray(parsed)) {
    r.fail('TRUST_PROXY', parsed.problem);
    return false;
  }
  return parsed;
}

function readBodyLimit(r: EnvReader): string {
  const value = r.string('BODY_LIMIT', '100kb');
  if (!/^\d+(b|kb|mb)$/i.test(value)) {
    r.fail('BODY_LIMIT', `must look like 100kb or 1mb (got "${value.slice(0, 20)}")`);
    return '100kb';
  }
  return value;
}

function decodeKey(raw: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  const b = Buffer.from(raw, 'base64');
  return b.length === 32 ? b : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
