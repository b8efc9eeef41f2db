import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config.types';

/** Injection token for the validated, frozen configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * The configuration is loaded before Nest starts (the database URL may depend on an embedded Postgres), then
 * handed in here so every module injects the same validated object instead of reading process.env.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
