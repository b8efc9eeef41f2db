import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AdminModule } from './admin';
import { AuthModule } from './auth';
import { DeferredWorkModule } from './common/deferred/deferred-work';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { createRootLogger, loggerParams, ROOT_LOGGER } from './common/logging';
import { createValidationPipe } from './common/validation';
import { ConfigModule } from './config/config.module';
import { AppConfig } from './config/config.types';
import { DatabaseModule } from './database/database.module';
import { GatewayModule } from './gateway';
import { HealthModule } from './health';
import { RealtimeModule } from './realtime';
import { UsersModule } from './users';
import { WebhooksModule } from './webhooks';

/** Wires the feature modules and the global filter and pipe; the global guard comes from AuthModule. */
@Module({})
export class AppModule {
  /** `logDestination` (tests) receives the log lines instead of stdout. */
  static forRoot(config: AppConfig, databaseUrl: string, opts: { logDestination?: DestinationStream } = {}): DynamicModule {
    const rootLogger = createRootLogger(config, opts.logDestination);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(rootLogger)),
        EventEmitterModule.forRoot(),
        DeferredWorkModule,
        DatabaseModule.forRoot(databaseUrl),
        HealthModule,
        UsersModule,
        AuthModule.forRoot(config),
        AdminModule,
        WebhooksModule,
        RealtimeModule,
        GatewayModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: ROOT_LOGGER, useValue: rootLogger },
      ],
    };
  }
}
