import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from './load-config';
import { problemsOf } from '../../test/support/config-problems';

describe('loadConfig', () => {
  it('gives working defaults for an empty environment (local provider, embedded database)', () => {
    const { config, warnings } = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.nodeEnv).toBe('development');
    expect(config.auth.provider).toBe('local');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.auth.roleGroupMap).toMatchObject({ admin: 'admin', Admins: 'admin', auditor: 'auditor', Auditors: 'auditor' });
    expect(warnings).toEqual([]);
    expect(Object.isFrozen(config.auth)).toBe(true);
  });

  it('requires every onboarding step by default; each can be switched off; a bad value stops start-up', () => {
    expect(loadConfig({}).config.onboarding).toEqual({ approval: true, mfa: true, subscription: true });
    expect(loadConfig({ ONBOARDING_REQUIRE_APPROVAL: 'false', ONBOARDING_REQUIRE_SUBSCRIPTION: 'false' }).config.onboarding).toEqual({ approval: false, mfa: true, subscription: false });
    expect(problemsOf({ ONBOARDING_REQUIRE_MFA: 'maybe' })).toHaveLength(1);
  });

  it('keeps audit rows 400 days by default; 0 keeps them all; anything else stops start-up', () => {
    expect(loadConfig({}).config.audit).toEqual({ retentionDays: 400 });
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '0' }).config.audit).toEqual({ retentionDays: 0 });
    expect(problemsOf({ AUDIT_RETENTION_DAYS: '-1' })).toEqual(['AUDIT_RETENTION_DAYS must be a whole number from 0 to 36500 (got "-1")']);
  });

  it('keeps bulk idempotency records 24 hours by default; a record is always kept an hour at least', () => {
    expect(loadConfig({}).config.adminBulk).toEqual({ idempotencyHours: 24 });
    expect(loadConfig({ ADMIN_BULK_IDEMPOTENCY_HOURS: '72' }).config.adminBulk).toEqual({ idempotencyHours: 72 });
    expect(problemsOf({ ADMIN_BULK_IDEMPOTENCY_HOURS: '0' })).toEqual(['ADMIN_BULK_IDEMPOTENCY_HOURS must be a whole number from 1 to 8760 (got "0")']);
  });

  it('names the variable and what is expected, one line per problem', () => {
    const problems = problemsOf({ PORT: 'eighty', JWT_SECRET_KEY: 'short', AUTH_PROVIDER: 'ldap' });
    expect(problems).toEqual([
      'PORT must be a whole number from 0 to 65535 (got "eighty")',
      'AUTH_PROVIDER must be one of local | cognito | oidc (got "ldap")',
      'JWT_SECRET_KEY must be at least 32 bytes (generate one with `openssl rand -base64 48`)',
    ]);
  });

  it('never echoes credentials from a bad DATABASE_URL', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://admin:hunter2@db/x' });
    expect(problem).toContain('DATABASE_URL must be a URL starting with postgres:// or postgresql://');
    expect(problem).not.toContain('hunter2');
  });

  it('refuses the dev bypass in production and warns loudly elsewhere', () => {
    expect(problemsOf({ NODE_ENV: 'production', ALLOW_DEV_AUTH_BYPASS: 'true', DATABASE_URL: 'postgres://h/d', PUBLIC_URL: 'https://gh.example.com', AUTH_PROVIDER: 'oidc', OIDC_ISSUER: 'https://idp.example.com', OIDC_AUDIENCE: 'api' })).toEqual([
      'ALLOW_DEV_AUTH_BYPASS must not be true when NODE_ENV=production (it grants admin access without credentials)',
    ]);
    const dev = loadConfig({ ALLOW_DEV_AUTH_BYPASS: 'true' });
    expect(dev.config.allowDevAuthBypass).toBe(true);
    expect(dev.warnings.join('\n')).toMatch(/development ADMIN/);
  });

  it('requires a database, a public URL and signing material in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PUBLIC_URL is required when NODE_ENV=production/),
        expect.stringMatching(/^DATABASE_URL is required when NODE_ENV=production/),
        expect.stringMatching(/^LOCAL_JWT_PRIVATE_KEY is required/),
        expect.stringMatching(/^DATA_ENCRYPTION_KEY is required/),
      ]),
    );
  });

  it('falls back to local with a warning for a half-configured provider in development, and refuses in production', () => {
    const dev = loadConfig({ AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'us-east-1_Abc' });
    expect(dev.config.auth.provider).toBe('local');
    expect(dev.warnings).toEqual(['AUTH_PROVIDER=cognito needs COGNITO_CLIENT_ID; falling back to AUTH_PROVIDER=local for development']);
    expect(problemsOf({ NODE_ENV: 'production', AUTH_PROVIDER: 'cognito', DATABASE_URL: 'postgres://h/d', PUBLIC_URL: 'https://x.example.com' })).toEqual([
      'COGNITO_USER_POOL_ID is required when AUTH_PROVIDER=cognito',
      'COGNITO_CLIENT_ID is required when AUTH_PROVIDER=cognito',
    ]);
  });

  it('derives the Cognito issuer from the pool, the region, the issuer style and an emulator endpoint', () => {
    const classic = loadConfig({ AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'eu-west-1_AbC123', COGNITO_CLIENT_ID: 'c' }).config.auth.cognito!;
    expect(classic.region).toBe('eu-west-1');
    expect(classic.issuer).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123');
    expect(classic.jwksUri).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json');
    const newer = loadConfig({ COGNITO_USER_POOL_ID: 'eu-west-1_AbC123', COGNITO_CLIENT_ID: 'c', COGNITO_ISSUER: 'new' }).config.auth.cognito!;
    expect(newer.issuer).toBe('https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123');
    const local = loadConfig({ COGNITO_USER_POOL_ID: 'local_5xY', COGNITO_CLIENT_ID: 'c', COGNITO_ENDPOINT: 'http://127.0.0.1:9229/' }).config.auth.cognito!;
    expect(local.issuer).toBe('http://127.0.0.1:9229/local_5xY');
    expect(problemsOf({ COGNITO_USER_POOL_ID: 'local_5xY', COGNITO_CLIENT_ID: 'c' })).toEqual([expect.stringMatching(/^COGNITO_USER_POOL_ID must look like us-east-1_AbCdEfG/)]);
    expect(problemsOf({ COGNITO_USER_POOL_ID: 'eu-west-1_AbC', COGNITO_CLIENT_ID: 'c', AWS_REGION: 'us-east-1' })).toEqual([`AWS_REGION must match the pool's region eu-west-1 (got "us-east-1")`]);
  });

  it('parses ROLE_GROUP_MAP and rejects unknown roles', () => {
    expect(loadConfig({ ROLE_GROUP_MAP: 'Ops:admin, Readers:auditor' }).config.auth.roleGroupMap).toEqual({ Ops: 'admin', Readers: 'auditor' });
    expect(problemsOf({ ROLE_GROUP_MAP: 'Ops:root' })).toEqual([expect.stringMatching(/^ROLE_GROUP_MAP must be group:role pairs/)]);
  });

  it('refuses "*" in CORS_ORIGINS and anything that is not an origin', () => {
    expect(problemsOf({ CORS_ORIGINS: '*' })).toEqual([expect.stringMatching(/^CORS_ORIGINS must list exact origins/)]);
    expect(problemsOf({ CORS_ORIGINS: 'https://app.example.com/path' })).toEqual([expect.stringMatching(/^CORS_ORIGINS must be a comma-separated list/)]);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).config.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });

  it('accepts a PEM private key with escaped newlines and rejects small or non-RSA keys', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n');
    expect(loadConfig({ LOCAL_JWT_PRIVATE_KEY: pem }).config.auth.local.privateKeyPem).toContain('\n');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(problemsOf({ LOCAL_JWT_PRIVATE_KEY: ec })).toEqual([expect.stringMatching(/^LOCAL_JWT_PRIVATE_KEY must be an RSA private key/)]);
  });

  it('decodes DATA_ENCRYPTION_KEY from hex or base64 and insists on 32 bytes', () => {
    expect(loadConfig({ DATA_ENCRYPTION_KEY: 'ab'.repeat(32) }).config.dataEncryptionKey).toHaveLength(32);
    expect(loadConfig({ DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).config.dataEncryptionKey).toHaveLength(32);
    expect(problemsOf({ DATA_ENCRYPTION_KEY: 'tooshort' })).toEqual([expect.stringMatching(/^DATA_ENCRYPTION_KEY must be 32 bytes/)]);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '  ', DATABASE_URL: '' }).config.port).toBe(3000);
  });
  describe('Cognito in production (issue 20.9, 20.13)', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://h/d', PUBLIC_URL: 'https://gh.example.com', SESSION_SECRET: 's'.repeat(32) };
    const pool = { AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'us-east-1_Abc', COGNITO_CLIENT_ID: 'c' };

    it('refuses COGNITO_ENDPOINT in production: an emulator signs with a key published in its npm package', () => {
      expect(problemsOf({ ...prod, ...pool, COGNITO_ENDPOINT: 'http://127.0.0.1:9229' })).toEqual([
        expect.stringMatching(/^COGNITO_ENDPOINT must not be set when NODE_ENV=production/),
      ]);
      // Outside production the emulator stays usable.
      expect(loadConfig({ ...pool, COGNITO_ENDPOINT: 'http://127.0.0.1:9229' }).config.auth.cognito?.issuer).toBe('http://127.0.0.1:9229/us-east-1_Abc');
    });

    it('refuses an http:// COGNITO_DOMAIN in production (https only), allows it elsewhere', () => {
      expect(problemsOf({ ...prod, ...pool, COGNITO_DOMAIN: 'http://login.example.com' })).toEqual([
        expect.stringMatching(/^COGNITO_DOMAIN must be an https:\/\/ URL when NODE_ENV=production/),
      ]);
      expect(loadConfig({ ...prod, ...pool, COGNITO_DOMAIN: 'https://x.auth.us-east-1.amazoncognito.com/' }).config.auth.cognito?.domain).toBe('https://x.auth.us-east-1.amazoncognito.com');
      expect(loadConfig({ ...pool, COGNITO_DOMAIN: 'http://127.0.0.1:9229' }).config.auth.cognito?.domain).toBe('http://127.0.0.1:9229');
    });
  });

  describe('hosted login', () => {
    const oidc = { AUTH_PROVIDER: 'oidc', OIDC_ISSUER: 'https://idp.example.com', OIDC_AUDIENCE: 'api', OIDC_CLIENT_ID: 'web' };
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://h/d', PUBLIC_URL: 'https://gh.example.com' };

    it('derives the callback URL from PUBLIC_URL unless OIDC_REDIRECT_URI is set', () => {
      expect(loadConfig({ PUBLIC_URL: 'https://gh.example.com/' }).config.auth.hosted.redirectUri).toBe('https://gh.example.com/api/v1/auth/hosted/callback');
      expect(loadConfig({ OIDC_REDIRECT_URI: 'https://edge.example.com/cb' }).config.auth.hosted.redirectUri).toBe('https://edge.example.com/cb');
      expect(problemsOf({ OIDC_REDIRECT_URI: 'ftp://x' })).toEqual([expect.stringMatching(/^OIDC_REDIRECT_URI must be/)]);
    });

    it('takes SESSION_SECRET of at least 32 bytes and refuses shorter ones', () => {
      const secret = 's'.repeat(32);
      expect(loadConfig({ SESSION_SECRET: secret }).config.auth.hosted.sessionSecret?.toString()).toBe(secret);
      expect(problemsOf({ SESSION_SECRET: 'short' })).toEqual(['SESSION_SECRET must be at least 32 bytes (generate one with `openssl rand -base64 48`)']);
    });

    it('requires SESSION_SECRET in production when hosted login is configured (COGNITO_DOMAIN or OIDC_CLIENT_ID)', () => {
      expect(problemsOf({ ...prod, ...oidc })).toEqual([
        'SESSION_SECRET is required when NODE_ENV=production and hosted login is configured (COGNITO_DOMAIN or OIDC_CLIENT_ID)',
      ]);
      const cognito = { AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'us-east-1_Abc', COGNITO_CLIENT_ID: 'c', COGNITO_DOMAIN: 'https://x.auth.us-east-1.amazoncognito.com' };
      expect(problemsOf({ ...prod, ...cognito })).toEqual([expect.stringMatching(/^SESSION_SECRET is required/)]);
      // Validate-only OIDC (no client) needs none, and hosted login is then simply off.
      const { OIDC_CLIENT_ID: _unused, ...validateOnly } = oidc;
      const config = loadConfig({ ...prod, ...validateOnly }).config;
      expect(config.auth.hosted.sessionSecret).toBeUndefined();
    });

    it('generates a per-process secret in development, warning only when hosted login is configured', () => {
      const a = loadConfig(oidc);
      const b = loadConfig(oidc);
      expect(a.config.auth.hosted.sessionSecret).toHaveLength(32);
      expect(a.config.auth.hosted.sessionSecret!.equals(b.config.auth.hosted.sessionSecret!)).toBe(false);
      expect(a.warnings).toEqual([expect.stringMatching(/^SESSION_SECRET is unset: hosted login uses a per-process secret/)]);
      expect(loadConfig({}).warnings).toEqual([]);
    });
  });
});

describe('NODE_ENV is one exact name', () => {
  it.each([[' production'], ['production '], ['Production'], ['prod'], ['development\n']])('refuses %j with a config error', (value) => {
    // The rest is validated as strictly as production (nothing is relaxed on a doubtful value); the first line says why.
    expect(problemsOf({ NODE_ENV: value })[0]).toBe(`NODE_ENV must be exactly one of development | test | production (got ${JSON.stringify(value)})`);
  });

  it('allows the dev bypass only when NODE_ENV is exactly development', () => {
    expect(problemsOf({ NODE_ENV: 'test', ALLOW_DEV_AUTH_BYPASS: 'true' })).toEqual([
      'ALLOW_DEV_AUTH_BYPASS must only be true when NODE_ENV=development (it grants admin access without credentials)',
    ]);
    expect(loadConfig({ NODE_ENV: 'development', ALLOW_DEV_AUTH_BYPASS: 'true' }).config.allowDevAuthBypass).toBe(true);
  });
});

describe('API_DOCS', () => {
  const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://h/d', PUBLIC_URL: 'https://gh.example.com', AUTH_PROVIDER: 'oidc', OIDC_ISSUER: 'https://idp.example.com', OIDC_AUDIENCE: 'api' };
  it('is off by default in production, on elsewhere, and switchable both ways', () => {
    expect(loadConfig(prod).config.apiDocs).toBe(false);
    expect(loadConfig({ ...prod, API_DOCS: 'true' }).config.apiDocs).toBe(true);
    expect(loadConfig({}).config.apiDocs).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', API_DOCS: 'false' }).config.apiDocs).toBe(false);
    expect(problemsOf({ API_DOCS: 'maybe' })).toEqual(['API_DOCS must be true or false (got "maybe")']);
  });
});

describe('TRUST_PROXY and the per-IP budgets', () => {
  it('is off by default; a hop count or a list of addresses and CIDRs is taken as given', () => {
    expect(loadConfig({}).config.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).config.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).config.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8' }).config.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
  });

  it.each([['true'], ['0.5'], ['10.0.0.0/33'], ['10.0.0'], ['example.com'], ['10.0.0.0/8,'], ['11']])('refuses TRUST_PROXY=%j at start-up', (value) => {
    expect(problemsOf({ TRUST_PROXY: value })).toEqual([expect.stringMatching(/^TRUST_PROXY must be /)]);
  });

  it('the tighter per-route budget defaults to a third of the shared one', () => {
    expect(loadConfig({}).config.rateLimits).toMatchObject({ authPerMinute: 30, authSensitivePerMinute: 10 });
    expect(loadConfig({ RATE_LIMIT_AUTH_PER_MINUTE: '100000' }).config.rateLimits.authSensitivePerMinute).toBe(33334);
    expect(loadConfig({ RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE: '4' }).config.rateLimits.authSensitivePerMinute).toBe(4);
  });
});
