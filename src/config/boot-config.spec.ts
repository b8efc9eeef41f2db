import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDotenvFile } from './boot-config';

describe('.env is read only outside production, decided from NODE_ENV exactly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-dotenv-'));
  const path = join(dir, '.env');
  writeFileSync(path, 'FROM_DOTENV=yes\nALLOW_DEV_AUTH_BYPASS=true\n');

  it.each([['production'], [' production'], ['production '], ['\tproduction\n'], ['Production'], ['prod']])(
    'NODE_ENV=%j: .env is not read',
    (nodeEnv) => {
      const env: Record<string, string | undefined> = { NODE_ENV: nodeEnv };
      loadDotenvFile(env, path);
      expect(env.FROM_DOTENV).toBeUndefined();
      expect(env.ALLOW_DEV_AUTH_BYPASS).toBeUndefined();
    },
  );

  it.each([['development'], ['test'], [undefined]])('NODE_ENV=%j: .env is read (real variables win)', (nodeEnv) => {
    const env: Record<string, string | undefined> = { NODE_ENV: nodeEnv, ALLOW_DEV_AUTH_BYPASS: 'false' };
    loadDotenvFile(env, path);
    expect(env.FROM_DOTENV).toBe('yes');
    expect(env.ALLOW_DEV_AUTH_BYPASS).toBe('false');
  });
});
