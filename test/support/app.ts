import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:net';
import type { DestinationStream } from 'pino';
import { AppModule } from '../../src/app.module';
import { configureApp, createAdapter } from '../../src/app.setup';
import { Env } from '../../src/config/env-reader';
import { loadConfig } from '../../src/config/load-config';
import type { AppConfig } from '../../src/config/config.types';

export function testDatabaseUrl(): string {
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL;
  if (!url) throw new Error('global setup did not provide GATEHOUSE_TEST_DATABASE_URL');
  return url;
}

export function testConfig(env: Env = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', DATA_DIR: '/tmp/gatehouse-test-data', ...env }).config;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  extra?: Array<Type | DynamicModule>;
  override?: Array<{ token: unknown; value: unknown }>;
  logDestination?: DestinationStream;
  databaseUrl?: string;
  port?: number;
}

/**
 * Sign-in limits out of the way, for suites that sign in more often than a minute's budget or fail passwords on
 * purpose; a suite that tests the limits sets its own.
 */
export const RELAXED_AUTH_LIMITS = { RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '1000' } as const;

/**
 * Boots the whole app with the production wiring (AppModule + configureApp) against the run's test database,
 * listening on a free loopback port. `extra` adds test-only modules (e.g. a probe controller); nothing is replaced
 * unless a test passes `override`. `logDestination` captures the app's log lines (set LOG_LEVEL in `env`);
 * `databaseUrl` points it at another database (test/support/private-database.ts). `port`: a fixed one, for tests whose
 * PUBLIC_URL must be the address they use (freePort() picks one).
 */
export async function startTestApp(
  env: Env = {},
  opts: TestAppOptions = {},
): Promise<TestApp> {
  const config = testConfig(env);
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, opts.databaseUrl ?? testDatabaseUrl(), { logDestination: opts.logDestination }), ...(opts.extra ?? [])] });
  for (const o of opts.override ?? []) builder = builder.overrideProvider(o.token).useValue(o.value);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(config), { bodyParser: false, bufferLogs: true });
  await configureApp(app, config);
  await app.listen(opts.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, config, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** A loopback port free right now (for a test that must know its PUBLIC_URL before the app listens). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
