import { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { Env } from '../../src/config/env-reader';
import type { AppConfig } from '../../src/config/config.types';
import { testConfig, testDatabaseUrl } from './app';

export interface TestServices {
  app: INestApplicationContext;
  config: AppConfig;
  close(): Promise<void>;
}

/**
 * The integration tier's fixture: the production module graph (AppModule) on the run's migrated test database, with
 * its lifecycle hooks run (the change feed listens, caches fill) but no HTTP adapter and no port. Suites here call
 * services and repositories directly; anything that needs a request goes through startTestApp in the e2e tier.
 */
export async function startServices(
  env: Env = {},
  opts: { extra?: Array<Type | DynamicModule>; override?: Array<{ token: unknown; value: unknown }> } = {},
): Promise<TestServices> {
  const config = testConfig(env);
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, testDatabaseUrl()), ...(opts.extra ?? [])] });
  for (const o of opts.override ?? []) builder = builder.overrideProvider(o.token).useValue(o.value);
  const moduleRef = await builder.compile();
  await moduleRef.init();
  return { app: moduleRef, config, close: () => moduleRef.close() };
}
