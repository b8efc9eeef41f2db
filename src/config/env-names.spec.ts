import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { editDistance, KNOWN_ENV_NAMES, likelyTypos, nearestKnownName } from './env-names';
import { loadConfig } from './load-config';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('likely typos in the environment', () => {
  it('names the nearest known variable for a misspelt one with a known prefix (the issue: COGNITO_USERPOOL_ID)', () => {
    expect(likelyTypos({ COGNITO_USERPOOL_ID: 'us-east-1_x' })).toEqual(['COGNITO_USERPOOL_ID is not a Gatehouse setting (ignored): did you mean COGNITO_USER_POOL_ID?']);
    expect(likelyTypos({ SMTP_HOST: 'mail' })).toEqual(['SMTP_HOST is not a Gatehouse setting (ignored): did you mean SMTP_URL?']);
    expect(likelyTypos({ STRIPE_WEBHOOK_SECRTE: 'x' })[0]).toMatch(/did you mean STRIPE_WEBHOOK_SECRET\?$/);
  });

  it('reports an unknown variable with a known prefix even when nothing is near', () => {
    expect(likelyTypos({ GATEWAY_SOMETHING_ELSE_ENTIRELY: '1' })).toEqual(['GATEWAY_SOMETHING_ELSE_ENTIRELY is not a Gatehouse setting (ignored)']);
  });

  it('leaves known variables and foreign prefixes alone (PATH, AWS_PROFILE, NODE_OPTIONS, npm_*)', () => {
    expect(likelyTypos({ COGNITO_USER_POOL_ID: 'x', PATH: '/bin', AWS_PROFILE: 'dev', NODE_OPTIONS: '--x', npm_config_cache: '/tmp', HOME: '/root' })).toEqual([]);
  });

  it('is a warning at start-up, never a stop', () => {
    const { warnings } = loadConfig({ COGNITO_USERPOOL_ID: 'x' });
    expect(warnings).toContain('COGNITO_USERPOOL_ID is not a Gatehouse setting (ignored): did you mean COGNITO_USER_POOL_ID?');
  });

  it('measures edits', () => {
    expect(editDistance('COGNITO_USERPOOL_ID', 'COGNITO_USER_POOL_ID')).toBe(1);
    expect(nearestKnownName('ZZZZZZZZZZZZ')).toBeUndefined();
  });
});

describe('KNOWN_ENV_NAMES is complete', () => {
  it('holds every variable the code reads (EnvReader calls and env.X / env[...] reads under src/)', () => {
    const read = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\br\.(?:raw|has|string|int|bool|oneOf|url|list|required)(?:<[^>]*>)?\('([A-Z][A-Z0-9_]+)'/g)) read.add(m[1]!);
      for (const m of text.matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
    }
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) read.delete(name); // the AWS SDK's own
    expect([...read].filter((n) => !(KNOWN_ENV_NAMES as readonly string[]).includes(n)).sort()).toEqual([]);
  });

  it('holds every variable .env.example documents', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const names = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!).filter((n) => !n.startsWith('AWS_') || n === 'AWS_REGION' || n === 'AWS_SECRETS_REGION');
    expect(names.filter((n) => !(KNOWN_ENV_NAMES as readonly string[]).includes(n)).sort()).toEqual([]);
  });
});
