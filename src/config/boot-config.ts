import { existsSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, LoadedConfig, loadConfig } from './load-config';
import { nodeEnvOf } from './node-env';
import { applySecretsManager, SecretsLoadError } from './secrets-manager';

/** `.env` only when NODE_ENV is exactly development or test (unset = development): never on a doubtful value. */
export function loadDotenvFile(env: NodeJS.ProcessEnv, path = '.env'): void {
  const nodeEnv = nodeEnvOf(env);
  if ((nodeEnv === 'development' || nodeEnv === 'test') && existsSync(path)) loadDotenv({ path, override: false, quiet: true, processEnv: env as Record<string, string> });
}

function exitWithProblems(problems: string[]): never {
  for (const problem of problems) process.stderr.write(`Configuration error: ${problem}\n`);
  process.exit(78); // EX_CONFIG
}

/**
 * Reads `.env` (outside production; real env wins) and validates. A bad value ends the process with one line per
 * problem, naming the variable: no stack trace, nothing half-started.
 */
export function bootConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  loadDotenvFile(env);
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) exitWithProblems(err.problems);
    throw err;
  }
}

/**
 * What the server and the CLI run: `.env`, then AWS Secrets Manager when USE_SECRETS_MANAGER=true (once, before
 * validation, so secrets are validated like any variable; real variables win), then bootConfig. A Secrets Manager
 * failure stops start-up with one line, like a bad value.
 */
export async function bootConfigWithSecrets(env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig & { fromSecrets: string[] }> {
  loadDotenvFile(env);
  let fromSecrets: string[] = [];
  try {
    fromSecrets = (await applySecretsManager(env)).loaded;
  } catch (err) {
    if (err instanceof SecretsLoadError) exitWithProblems([err.message]);
    throw err;
  }
  return { ...bootConfig(env), fromSecrets };
}
