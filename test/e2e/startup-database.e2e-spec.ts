import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/database/embedded-postgres';
import { testDatabaseUrl } from '../support/app';
import { MAIN, runBuilt } from '../support/built';

const describeBuilt = existsSync(MAIN) ? describe : describe.skip;

describeBuilt('a wrong DATABASE_URL stops the built server with one line naming it (password masked), exit 78', () => {
  const PASSWORD = 'never-Printed-9';
  const withUser = (url: string, user: string): string => {
    const u = new URL(url);
    u.username = user;
    u.password = PASSWORD;
    return u.toString();
  };

  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['refused', async () => `postgres://gatehouse:${PASSWORD}@127.0.0.1:${await freePort()}/gatehouse`, /connection refused/],
    ['unknown host', () => Promise.resolve(`postgres://gatehouse:${PASSWORD}@no-such-host.invalid:5432/gatehouse`), /unknown host no-such-host\.invalid/],
    // A trusting Postgres (CI's) answers an unknown role; the embedded one (password auth) a refused password: either
    // way Postgres's own message is passed through.
    ['login refused', () => Promise.resolve(withUser(testDatabaseUrl(), 'no_such_role_gh')), /role "no_such_role_gh" does not exist|password authentication failed for user "no_such_role_gh"/],
  ];

  it.each(cases)('%s', async (_name, url, cause) => {
    const r = await runBuilt(MAIN, [], { DATABASE_URL: await url(), PORT: String(await freePort()) }, undefined, 30_000);
    expect(r.code).toBe(78);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Configuration error: DATABASE_URL \(postgres:\/\/[^ ]*:\*\*\*@[^ ]+\) /);
    expect(lines[0]).toMatch(cause);
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    expect(r.stdout).toBe('');
  }, 60_000);
});

describeBuilt('a PORT already in use', () => {
  it('stops the built server with one line naming PORT, before the embedded database is started', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, resolve));
    const port = (holder.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-port-'));
    try {
      const r = await runBuilt(MAIN, [], { DATA_DIR: dataDir, PORT: String(port) }, undefined, 30_000);
      expect(r.code).toBe(78);
      expect(r.stderr.trim().split('\n')).toEqual([`Configuration error: PORT ${port} is already in use by another process: stop it or set PORT`]);
      expect(r.stdout).not.toContain('embedded Postgres');
      expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
    } finally {
      holder.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
