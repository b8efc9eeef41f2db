import type { Env } from './env-reader';
import type { NodeEnv } from './config.types';

export const NODE_ENVS: readonly NodeEnv[] = ['development', 'test', 'production'];

/**
 * NODE_ENV decides whether `.env` is read and whether the dev bypass may exist, so it is decided once, from the exact
 * value: " production" (a stray space in a manifest) once read `.env` in production because one check compared the
 * raw value and another the trimmed one. Unset means development; anything but an exact name is refused.
 */
export function nodeEnvOf(env: Env): NodeEnv | { invalid: string } {
  const value = env.NODE_ENV;
  if (value === undefined) return 'development';
  return (NODE_ENVS as readonly string[]).includes(value) ? (value as NodeEnv) : { invalid: value };
}

export function nodeEnvProblem(invalid: string): string {
  return `NODE_ENV must be exactly one of ${NODE_ENVS.join(' | ')} (got ${JSON.stringify(invalid.slice(0, 40))})`;
}
