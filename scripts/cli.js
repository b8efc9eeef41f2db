#!/usr/bin/env node
'use strict';
/**
 * `npm run cli -- <command>`: runs dist/cli.js, building first when dist/ is missing or older than the sources, so the
 * command works on a fresh clone and never runs yesterday's code. The build's output goes to stderr: what the command
 * prints on stdout stays the command's alone (scripts read it).
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');

/** The newest modification time under `dir` among files `keep` accepts (0 when there are none). */
function newest(dir, keep) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, keep));
    else if (keep(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/** Why dist/ must be built first, or undefined when it is current. */
function staleReason(root = ROOT) {
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) return 'dist/ is missing';
  const built = statSync(cli).mtimeMs;
  const source = (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts');
  const sources = Math.max(newest(join(root, 'src'), source), newest(join(root, 'migrations'), source));
  return sources > built ? 'dist/ is older than src/' : undefined;
}

function main() {
  const reason = staleReason();
  if (reason) {
    process.stderr.write(`${reason}: building first (npm run build)\n`);
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (build.status !== 0) {
      process.stderr.write('the build failed (see above); nothing was run\n');
      process.exit(build.status ?? 1);
    }
  }
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

if (require.main === module) main();
module.exports = { staleReason };
