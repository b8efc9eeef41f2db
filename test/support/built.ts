import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The compiled server and CLI (`npm test` builds first through `pretest`). */
export const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'main.js');
export const CLI = join(ROOT, 'dist', 'cli.js');

/**
 * The built server runs from an empty folder, so a developer's .env in the repository cannot change the result;
 * inline scripts (`-e`) run from the repository to resolve its packages.
 */
export const EMPTY_CWD = mkdtempSync(join(tmpdir(), 'gatehouse-cwd-'));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const baseEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env });

/** Runs the built server or CLI as a user would; `until` ends it (SIGTERM) once a line matches. */
export function runBuilt(file: string, args: string[], env: Record<string, string>, until?: RegExp, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { env: baseEnv(env), cwd: file === '-e' ? ROOT : EMPTY_CWD });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (until && !signalled && until.test(stdout)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface BuiltServer {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, resolved with the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/** The built server, resolved once it logs that it listens (rejected with its output if it exits first). */
export function startBuilt(env: Record<string, string>, timeoutMs = 60_000): Promise<BuiltServer> {
  const child = spawn(process.execPath, [MAIN], { env: baseEnv(env), cwd: EMPTY_CWD });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Gatehouse listening/.test(out)) {
        clearTimeout(timer);
        resolve({
          child,
          output: () => out,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited: ${out}`));
    });
  });
}
