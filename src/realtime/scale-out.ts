import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Pool } from 'pg';
import type { Server } from 'socket.io';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';

/** The channel prefix every instance of one deployment shares (and nothing else on the same Redis or database). */
const CHANNEL = 'gatehouse-realtime';

/**
 * Scale-out on the engines the deployment already has: with REDIS_URL the Redis adapter (pub/sub), without it the
 * Postgres adapter over the app's own database (LISTEN/NOTIFY, large payloads in auth.socket_io_attachments). Either
 * way a room emit on one instance reaches sockets held by any other. Its own connections (two to Redis, or a pool of
 * two to Postgres: one held for LISTEN) so socket traffic never waits behind the app's queries; closed at shutdown.
 */
@Injectable()
export class RealtimeScaleOut implements OnApplicationShutdown {
  private readonly logger = new Logger('RealtimeScaleOut');
  private closers: Array<() => Promise<unknown>> = [];
  kind: 'redis' | 'postgres' | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  attach(server: Server): void {
    if (this.kind) return;
    const onError = (err: Error) => this.logger.warn({ err: err.message }, 'realtime adapter error');
    if (this.config.redisUrl) {
      const pub = new Redis(this.config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
      const sub = pub.duplicate();
      pub.on('error', onError);
      sub.on('error', onError);
      this.closers.push(() => pub.quit().catch(() => pub.disconnect()), () => sub.quit().catch(() => sub.disconnect()));
      server.adapter(createRedisAdapter(pub, sub, { key: CHANNEL }));
      this.kind = 'redis';
    } else {
      const url = (this.db.options as PostgresConnectionOptions).url;
      const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
      pool.on('error', onError);
      this.closers.push(() => pool.end());
      server.adapter(createPostgresAdapter(pool, { channelPrefix: CHANNEL, tableName: 'auth.socket_io_attachments', errorHandler: onError }));
      this.kind = 'postgres';
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const closers = this.closers;
    this.closers = [];
    await Promise.allSettled(closers.map((c) => c()));
  }
}
