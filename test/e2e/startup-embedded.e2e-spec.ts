import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/database/embedded-postgres';
import { BuiltServer, CLI, MAIN, runBuilt, startBuilt } from '../support/built';

/** Postgres's own record of its running server: the postmaster's pid is line 1. */
const postmasterPid = (dataDir: string): number => Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const describeBuilt = existsSync(MAIN) ? describe : describe.skip;

describeBuilt('the embedded Postgres of the built server: one line for what is wrong, and recovery from a crash', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-embedded-'));
  const serverEnv = async (): Promise<Record<string, string>> => ({ DATA_DIR: dataDir, PORT: String(await freePort()) });
  let server: BuiltServer | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a second server on the same DATA_DIR stops with one line naming the folder, the PID holding it and what to do', async () => {
    server = await startBuilt(await serverEnv());
    const second = await runBuilt(MAIN, [], await serverEnv(), undefined, 60_000);
    expect(second.code).not.toBe(0);
    expect(second.stderr.trim().split('\n')).toEqual([
      `Gatehouse failed to start: the embedded Postgres in ${join(dataDir, 'postgres')} is in use by PID ${server.child.pid}: another Gatehouse, or a leftover from a crash; stop it or set DATA_DIR`,
    ]);
  }, 120_000);

  it('migration:run while the server runs works on the server\'s embedded database', async () => {
    const r = await runBuilt(CLI, ['migration:run'], { DATA_DIR: dataDir }, undefined, 60_000);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('no pending migrations');
    expect(r.code).toBe(0);
    // The server's database is still the one running (the CLI neither started a second one nor stopped it).
    expect(alive(postmasterPid(dataDir))).toBe(true);
  }, 120_000);

  it('after the server is SIGKILLed, the next start stops the postmaster it left running and starts normally', async () => {
    const orphan = postmasterPid(dataDir);
    server!.child.kill('SIGKILL');
    await server!.stop();
    expect(alive(orphan)).toBe(true); // the crash left Postgres running with no Gatehouse
    server = await startBuilt(await serverEnv());
    expect(server.output()).toContain(`stopped the embedded Postgres (PID ${orphan})`);
    expect(alive(orphan)).toBe(false);
    expect(await server.stop()).toBe(0);
    server = undefined;
    await until(() => !existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'Postgres to stop');
  }, 120_000);

  it("Postgres's own reason is passed through when the embedded server does not start", async () => {
    appendFileSync(join(dataDir, 'postgres', 'postgresql.conf'), '\nshared_buffers = banana\n');
    const r = await runBuilt(MAIN, [], await serverEnv(), undefined, 60_000);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Gatehouse failed to start: the embedded Postgres in ${join(dataDir, 'postgres')} did not start: .*(shared_buffers|configuration file)`));
    expect(lines[0]).not.toContain('undefined');
  }, 120_000);
});
