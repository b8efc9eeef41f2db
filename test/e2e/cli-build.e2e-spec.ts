import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runBuilt } from '../support/built';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { staleReason } = require('../../scripts/cli.js') as { staleReason: (root: string) => string | undefined };

/** `npm run cli` (scripts/cli.js) builds first when dist/ is missing or older than the sources (issue 12). */
describe('npm run cli builds when it has to', () => {
  let root: string;
  const file = (path: string, ageS: number): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
    const t = Date.now() / 1000 - ageS;
    utimesSync(join(root, path), t, t);
  };
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'gatehouse-clibuild-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('on a fresh clone (no dist/)', () => {
    file('src/cli.ts', 100);
    expect(staleReason(root)).toBe('dist/ is missing');
  });

  it('when a source or a migration changed after the build', () => {
    file('dist/cli.js', 50);
    file('src/auth/deep/x.ts', 10);
    expect(staleReason(root)).toBe('dist/ is older than src/');
    file('src/auth/deep/x.ts', 100);
    file('migrations/1.ts', 10);
    expect(staleReason(root)).toBe('dist/ is older than src/');
  });

  it('not when dist/ is current (a changed unit test does not count)', () => {
    file('src/cli.ts', 100);
    file('src/a.spec.ts', 10);
    file('dist/cli.js', 50);
    expect(staleReason(root)).toBeUndefined();
  });

  it('runs the command with its arguments and its exit code', async () => {
    const r = await runBuilt(join(ROOT, 'scripts', 'cli.js'), ['no-such-command'], {}, undefined, 120_000);
    expect(r.stdout).toMatch(/^usage: gatehouse <command>/);
    expect(r.code).toBe(2);
  }, 150_000);
});
