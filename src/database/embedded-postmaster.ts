import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Who holds an embedded cluster. Postgres records its running server in `postmaster.pid` (pid on line 1, port on
 * line 4): the same file that stops a second server on the folder. Gatehouse adds `<dir>.owner` with the pid of the
 * process that started it (the server or the CLI), so a postmaster whose owner is gone (the owner was SIGKILLed and
 * the postmaster kept running as an orphan) can be told from one a live Gatehouse is using.
 */
export interface RunningPostmaster {
  pid: number;
  port: number;
  /** The Gatehouse process that started it, when it is still alive. */
  owner?: number;
}

/** Thrown when the cluster is held by a live process: the message is the one line the server or CLI prints. */
export class EmbeddedInUse extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`the embedded Postgres in ${dir} is in use by PID ${pid}: another Gatehouse, or a leftover from a crash; stop it or set DATA_DIR`);
    this.name = 'EmbeddedInUse';
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user (Postgres runs as `postgres` when we are root).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The parent of a process where /proc tells (Linux); undefined elsewhere. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

const ownerFile = (dir: string): string => `${dir}.owner`;

/** The live postmaster of cluster `dir`, if any; a pid file whose process is gone is stale and ignored. */
export function runningPostmaster(dir: string): RunningPostmaster | undefined {
  const pidFile = `${dir}/postmaster.pid`;
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0 || !alive(pid)) return undefined;
  const owner = existsSync(ownerFile(dir)) ? Number(readFileSync(ownerFile(dir), 'utf8').trim()) : undefined;
  const parent = parentOf(pid);
  // The owner counts while it lives and (where /proc tells) is still the postmaster's parent: a recycled pid is not.
  // With no owner file (a server older than this file), a postmaster that still has a parent other than init is held.
  const held = owner !== undefined ? alive(owner) && (parent === undefined || parent === owner) : parent !== undefined && parent !== 1;
  return { pid, port, ...(held ? { owner: owner ?? parent } : {}) };
}

export function claimOwnership(dir: string): void {
  writeFileSync(ownerFile(dir), `${process.pid}\n`, { mode: 0o600 });
}

export function releaseOwnership(dir: string): void {
  rmSync(ownerFile(dir), { force: true });
}

/**
 * Stops a postmaster left running by a dead Gatehouse (fast shutdown: SIGINT), so the cluster can be started again
 * by its new owner. Gives up with EmbeddedInUse when it cannot signal it or it does not exit in time.
 */
export async function stopOrphan(dir: string, pid: number, timeoutMs = 15_000): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw new EmbeddedInUse(dir, pid);
  }
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new EmbeddedInUse(dir, pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  releaseOwnership(dir);
}
