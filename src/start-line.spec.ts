import { loadConfig } from './config/load-config';
import { startLine } from './start-line';

describe('the start line (issue 12: what an operator checks, in one line)', () => {
  const migrations = { applied: ['1763861000000-Feed'], latest: '1763861000000-Feed' };

  it('says provider, database, migrations, PUBLIC_URL, mail, rate-limit store, docs and the address for the embedded setup', () => {
    const { config } = loadConfig({ PORT: '4100' });
    const line = startLine(config, { databaseUrl: 'postgres://postgres:s3cret@127.0.0.1:54321/gatehouse', embedded: true, migrations, startedMs: 812 });
    expect(line.msg).toBe(
      'Gatehouse listening on port 4100 (http://0.0.0.0:4100) after 812 ms: provider local; database embedded Postgres at 127.0.0.1:54321 in ' +
        `${config.dataDir}/postgres; migrations 1 applied now, schema at 1763861000000-Feed; PUBLIC_URL http://localhost:4100; ` +
        'mail to the log (SMTP_URL unset); rate limits in memory; docs http://localhost:4100/api/docs; NODE_ENV development',
    );
    expect(line.fields).toMatchObject({ provider: 'local', database: `embedded 127.0.0.1:54321`, migrationsApplied: 1, mail: 'log', rateLimitStore: 'memory', listen: 'http://0.0.0.0:4100' });
    expect(JSON.stringify(line)).not.toContain('s3cret');
  });

  it('names a fallback, the DATABASE_URL host (never its password), SMTP, Redis, docs off and an IPv6 address', () => {
    const { config } = loadConfig({
      AUTH_PROVIDER: 'cognito',
      HOST: '::',
      SMTP_URL: 'smtp://user:mailpass@mail.example.com:587',
      REDIS_URL: 'redis://:redispass@cache.example.com:6379',
      API_DOCS: 'false',
    });
    const line = startLine(config, { databaseUrl: 'postgres://app:dbpass@db.example.com:5433/gh', embedded: false, migrations: { applied: [] , latest: 'X' }, startedMs: 5 });
    expect(line.msg).toContain('provider local (fell back from cognito: missing COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID)');
    expect(line.msg).toContain('(http://[::]:3000)');
    expect(line.msg).toContain('database db.example.com:5433/gh (DATABASE_URL)');
    expect(line.msg).toContain('migrations none pending, schema at X');
    expect(line.msg).toContain('mail via SMTP mail.example.com:587');
    expect(line.msg).toContain('rate limits in Redis cache.example.com:6379');
    expect(line.msg).toContain('docs off (API_DOCS=false)');
    expect(JSON.stringify(line)).not.toMatch(/dbpass|mailpass|redispass/);
  });
});
