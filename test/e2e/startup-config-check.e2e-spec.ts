import { existsSync } from 'node:fs';
import { testDatabaseUrl } from '../support/app';
import { CLI, MAIN, runBuilt as run } from '../support/built';

const describeBuilt = existsSync(MAIN) ? describe : describe.skip;

/** Issue 12, "Clear failures": config:check must not say ok for a configuration the server would not run as asked. */
describeBuilt('cli config:check on a half-configured provider and misspelt variables', () => {
  it('fails (exit 1) when AUTH_PROVIDER=cognito has no pool, saying what is missing and that the server would fall back', async () => {
    const r = await run(CLI, ['config:check'], { DATABASE_URL: testDatabaseUrl(), AUTH_PROVIDER: 'cognito' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}provider +AUTH_PROVIDER=cognito needs COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID: the server would fall back to local/m);
    expect(r.stdout).not.toMatch(/^ok {4}config/m);
  });

  it('reports an unknown variable with a known prefix as a likely typo, naming the nearest setting (WARN; the rest still decides)', async () => {
    const r = await run(CLI, ['config:check'], { DATABASE_URL: testDatabaseUrl(), COGNITO_USERPOOL_ID: 'us-east-1_abc' });
    expect(r.stdout).toMatch(/^WARN {2}environment +COGNITO_USERPOOL_ID is not a Gatehouse setting \(ignored\): did you mean COGNITO_USER_POOL_ID\?$/m);
    expect(r.code).toBe(0);
  });

  it('the server warns about the same typo at start-up', async () => {
    const { freePort } = await import('../../src/database/embedded-postgres');
    const r = await run(MAIN, [], { DATABASE_URL: testDatabaseUrl(), PORT: String(await freePort()), COGNITO_USERPOOL_ID: 'us-east-1_abc' }, /Gatehouse listening/);
    const warn = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.msg.includes('COGNITO_USERPOOL_ID'));
    expect(warn).toMatchObject({ level: 40, msg: 'COGNITO_USERPOOL_ID is not a Gatehouse setting (ignored): did you mean COGNITO_USER_POOL_ID?' });
    expect(r.code).toBe(0);
  }, 60_000);
});
