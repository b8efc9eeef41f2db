import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadConfig } from './config/load-config';

/**
 * compose.yaml, checked without a Docker engine: parsed, its variables interpolated as `docker compose` does, and the
 * Gatehouse environment handed to the real configuration loader in production mode.
 */
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const raw = readFileSync(join(__dirname, '..', 'compose.yaml'), 'utf8');

/** `${VAR}`, `${VAR:-default}` and `${VAR:?message}` as compose interpolates them (a missing `:?` variable is an error). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

const secrets = (): Record<string, string> => ({
  POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
  // As README says to put it in compose.env: one line, "\n" escapes.
  LOCAL_JWT_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim().replace(/\n/g, '\\n'),
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
});

const servicesOf = (env: Record<string, string>): Record<string, Service> => (load(interpolate(raw, env)) as { services: Record<string, Service> }).services;

describe('compose.yaml (issue #12, "Running it in a container")', () => {
  const services = servicesOf(secrets());

  it('runs Gatehouse, Postgres, a mail catcher and the migrations as their own step', () => {
    expect(Object.keys(services).sort()).toEqual(['gatehouse', 'mailpit', 'migrate', 'postgres']);
    expect(services.mailpit?.image).toMatch(/^axllent\/mailpit:/);
    expect(services.migrate?.command).toEqual(['node', 'dist/cli.js', 'migration:run']);
    expect(services.gatehouse?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      mailpit: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
  });

  it('every long-running service has a healthcheck; Gatehouse checks /ready', () => {
    for (const name of ['postgres', 'mailpit', 'gatehouse']) expect([name, services[name]?.healthcheck?.test?.[0]]).toEqual([name, 'CMD']);
    expect(services.gatehouse!.healthcheck!.test.join(' ')).toContain('/ready');
  });

  it("Gatehouse's environment is a valid production configuration: the loader accepts it as it stands", () => {
    const env = services.gatehouse!.environment!;
    expect(env).toBe(services.migrate!.environment);
    const { config } = loadConfig(env);
    expect(config.isProduction).toBe(true);
    expect(config.auth.provider).toBe('local');
    expect(config.databaseUrl).toMatch(/^postgres:\/\/gatehouse:[0-9a-f]+@postgres:5432\/gatehouse$/);
    expect(config.apiDocs).toBe(false);
  });

  it('refuses to start without the secrets, naming where they go', () => {
    for (const name of ['POSTGRES_PASSWORD', 'LOCAL_JWT_PRIVATE_KEY', 'DATA_ENCRYPTION_KEY']) {
      expect(() => servicesOf({ ...secrets(), [name]: '' })).toThrow(new RegExp(`^${name}: set ${name} in compose.env`));
    }
  });

  it('API_DOCS switches the docs on', () => {
    expect(loadConfig(servicesOf({ ...secrets(), API_DOCS: 'true' }).gatehouse!.environment!).config.apiDocs).toBe(true);
  });
});
