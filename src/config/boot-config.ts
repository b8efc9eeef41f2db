import { existsSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, LoadedConfig, loadConfig } from './load-config';

/**
 * Reads `.env` (outside production; real env wins) and validates. A bad value ends the process with one line per
 * problem, naming the variable: no stack trace, nothing half-started.
 */
export function bootConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  if (env.NODE_ENV !== 'production' && existsSync('.env')) loadDotenv({ path: '.env', override: false, quiet: true });
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`Configuration error: ${problem}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
