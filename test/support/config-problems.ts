import { ConfigError, loadConfig } from '../../src/config/load-config';

/** The problems loadConfig reports for `env` (one line each, as start-up prints them); none when it loads. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
