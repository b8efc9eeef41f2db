import { DataSource } from 'typeorm';
import { AWS_CREDENTIALS_ENV, resetCognitoClients } from '../../src/auth/providers/cognito/cognito-client.factory';
import type { Env } from '../../src/config/env-reader';
import { startTestApp, TestApp, TestAppOptions } from './app';
import { COGNITO_LOCAL_KEYS, CognitoLocal, StartCognitoLocalOptions, startCognitoLocal } from './cognito-local';
import { JsonClient } from './http';

/** The override that hands the app cognito-local's dummy keys instead of the process environment. */
export const COGNITO_LOCAL_CREDENTIALS = { token: AWS_CREDENTIALS_ENV, value: COGNITO_LOCAL_KEYS };

/** A fresh cognito-local pool and the whole app configured for it (AUTH_PROVIDER=cognito). */
export interface CognitoApp {
  cl: CognitoLocal;
  t: TestApp;
  api: JsonClient;
  db: DataSource;
  /** Closes the app, drops the cached SDK clients (they hold this emulator's endpoint) and stops cognito-local. */
  close(): Promise<void>;
}

export interface StartCognitoAppOptions extends TestAppOptions {
  /** The AWS keys the app signs with (COGNITO_LOCAL_KEYS unless given): distinct ones let a test see they never leak. */
  keys?: Readonly<Record<string, string>>;
  /** How the pool is made (MFA mode, the app client's write attributes). */
  pool?: StartCognitoLocalOptions;
  /** Arranges the pool before the app starts, for what start-up reads (the role-claim trust check reads the clients). */
  beforeStart?: (cl: CognitoLocal) => Promise<void>;
}

/**
 * Starts cognito-local, then the app on it with `env` over the pool's env and the dummy keys (`opts.override` adds
 * other overrides). If anything fails half-way, what already runs is stopped before the error is thrown, so a suite's afterAll
 * needs only `close()` of what it got back.
 */
export async function startCognitoApp(env: Env = {}, opts: StartCognitoAppOptions = {}): Promise<CognitoApp> {
  const { pool, beforeStart, keys, override = [], ...appOpts } = opts;
  const cl = await startCognitoLocal(pool);
  const stopPool = async (): Promise<void> => {
    resetCognitoClients();
    await cl.stop();
  };
  let t: TestApp;
  try {
    await beforeStart?.(cl);
    t = await startTestApp({ ...cl.env, ...env }, { ...appOpts, override: [keys ? { token: AWS_CREDENTIALS_ENV, value: keys } : COGNITO_LOCAL_CREDENTIALS, ...override] });
  } catch (err) {
    await stopPool();
    throw err;
  }
  const close = async (): Promise<void> => {
    try {
      await t.close();
    } finally {
      await stopPool();
    }
  };
  return { cl, t, api: new JsonClient(t.url), db: t.app.get(DataSource), close };
}
