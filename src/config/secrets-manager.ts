import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Only names shaped like environment variables are taken from secrets (no PATH-like surprises from a typo). */
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Never taken from Secrets Manager: they decide whether and where secrets are read, or how the process runs. */
const NEVER_FROM_SECRETS = new Set(['USE_SECRETS_MANAGER', 'AWS_SECRETS_REGION', 'SECRETS_PREFIX', 'NODE_ENV', 'PATH', 'NODE_OPTIONS']);

export class SecretsLoadError extends Error {}

/**
 * Loads secrets from AWS Secrets Manager into `env` once, before configuration is validated.
 *
 * Off unless `USE_SECRETS_MANAGER=true`. Reads every secret whose name starts with `SECRETS_PREFIX` (e.g.
 * `gatehouse/prod/`) in `AWS_SECRETS_REGION` (else AWS_REGION). A secret whose value is a JSON object contributes
 * each of its string entries (`{"JWT_SECRET_KEY":"…","DATABASE_URL":"…"}`); any other secret contributes one
 * variable named after the rest of its name (`gatehouse/prod/JWT_SECRET_KEY`). Names must look like env variables.
 *
 * Precedence: a variable already set (the real environment, then `.env` outside production, which is read first)
 * wins: an operator can override one value without editing the secret; the secret fills everything else. The three
 * settings above come from the environment or `.env`, never from a secret.
 *
 * Fails loudly (throws SecretsLoadError) when enabled and the secrets cannot be read: starting without them would
 * only fail later, less clearly. Values are never logged; the returned list holds names only.
 *
 * Wired through bootConfigWithSecrets (boot-config.ts), which the server and the CLI call first.
 */
export async function applySecretsManager(
  env: NodeJS.ProcessEnv | Record<string, string | undefined>,
  opts: { client?: SecretsManagerClient } = {},
): Promise<{ loaded: string[] }> {
  if ((env.USE_SECRETS_MANAGER ?? '').toLowerCase() !== 'true') return { loaded: [] };
  const prefix = env.SECRETS_PREFIX ?? '';
  const region = env.AWS_SECRETS_REGION || env.AWS_REGION;
  if (!region) throw new SecretsLoadError('USE_SECRETS_MANAGER=true needs AWS_SECRETS_REGION (or AWS_REGION)');
  const client = opts.client ?? new SecretsManagerClient({ region });
  try {
    const found: Record<string, string> = {};
    for (const name of await listSecretNames(client, prefix)) {
      const value = await client.send(new GetSecretValueCommand({ SecretId: name }));
      if (value.SecretString === undefined) continue;
      Object.assign(found, entriesOf(name.slice(prefix.length), value.SecretString));
    }
    const loaded: string[] = [];
    for (const [key, value] of Object.entries(found)) {
      if (!ENV_NAME.test(key) || NEVER_FROM_SECRETS.has(key)) continue;
      if (env[key] !== undefined && env[key] !== '') continue;
      env[key] = value;
      loaded.push(key);
    }
    return { loaded: loaded.sort() };
  } catch (err) {
    if (err instanceof SecretsLoadError) throw err;
    // The error's name and code say why (AccessDeniedException, ECONNREFUSED …); its message may quote ARNs, so not it.
    const name = err instanceof Error ? err.name : 'Error';
    const code = (err as { code?: unknown }).code;
    throw new SecretsLoadError(`cannot read secrets with prefix "${prefix}" in ${region}: ${name}${typeof code === 'string' && code !== name ? ` (${code})` : ''}`);
  } finally {
    if (!opts.client) client.destroy();
  }
}

async function listSecretNames(client: SecretsManagerClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined;
  do {
    const page = await client.send(
      new ListSecretsCommand({ NextToken: next, MaxResults: 100, ...(prefix ? { Filters: [{ Key: 'name', Values: [prefix] }] } : {}) }),
    );
    // The `name` filter matches prefixes of words, not only of the whole name: check the prefix exactly here.
    for (const s of page.SecretList ?? []) if (s.Name?.startsWith(prefix)) names.push(s.Name);
    next = page.NextToken;
  } while (next);
  return names;
}

function entriesOf(shortName: string, secret: string): Record<string, string> {
  const trimmed = secret.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
      }
    } catch {
      // not JSON: a plain value that happens to start with "{"
    }
  }
  return { [shortName]: secret };
}
