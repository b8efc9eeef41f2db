import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Pool, type PoolClient } from 'pg';
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
    // One warning when the adapter starts failing and one line when it is back: during an outage it retries every
    // few seconds, and a line per retry buried everything else. The retries in between are at debug.
    let failing = false;
    const onError = (err: Error): void => {
      if (failing) return this.logger.debug({ err: err.message }, 'realtime adapter error');
      failing = true;
      this.logger.warn({ err: err.message }, 'realtime adapter error; further errors at debug until it reconnects');
    };
    const onConnect = (): void => {
      if (!failing) return;
      failing = false;
      this.logger.log('realtime adapter reconnected');
    };
    if (this.config.redisUrl) {
      const pub = new Redis(this.config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
      const sub = pub.duplicate();
      pub.on('error', onError);
      sub.on('error', onError);
      sub.on('ready', onConnect);
      this.closers.push(() => pub.quit().catch(() => pub.disconnect()), () => sub.quit().catch(() => sub.disconnect()));
      server.adapter(createRedisAdapter(pub, sub, { key: CHANNEL }));
      this.kind = 'redis';
    } else {
      const url = (this.db.options as PostgresConnectionOptions).url;
      server.adapter(createPostgresAdapter(this.postgresPool(url, onError, onConnect), { channelPrefix: CHANNEL, tableName: 'auth.socket_io_attachments', errorHandler: onError }));
      this.kind = 'postgres';
    }
  }

  /**
   * The adapter's pool, guarded against two faults of the adapter (0.5): its LISTEN client has no 'error' listener
   * (a database restart or failover would crash the process on an unhandled 'error'), and a shutdown while it is
   * still acquiring that client leaves the client checked out forever (then pool.end() never resolves and the app
   * never closes), and a dead LISTEN client is dropped without being released. So every client gets an error listener, the adapter's connect() never resolves once closing, and
   * at shutdown the pool's clients are ended without waiting on a release that may never come.
   */
  private postgresPool(url: string | undefined, onError: (err: Error) => void, onConnect: () => void): Pool {
    const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
    const clients = new Set<PoolClient>();
    let closing = false;
    pool.on('error', onError);
    pool.on('connect', (c) => {
      onConnect();
      clients.add(c);
      c.on('error', onError);
      c.once('end', () => {
        clients.delete(c);
        // The adapter drops a dead LISTEN client without releasing it: the pool would count it as checked out
        // forever and, at max, every later publish would wait for a slot (local emits included). Releasing it with
        // an error removes it. A client the pool holds idle is not checked out: release() throws, and is ignored.
        if (!closing) {
          try {
            c.release(new Error('connection ended'));
          } catch {
            /* not checked out */
          }
        }
      });
    });
    this.closers.push(async () => {
      closing = true;
      for (const c of clients) {
        c.removeAllListeners('end'); // the adapter's reconnect
        void c.end().catch(() => undefined);
      }
      await Promise.race([pool.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
    });
    const guarded = {
      connect: () => (closing ? new Promise<never>(() => undefined) : pool.connect()),
      query: pool.query.bind(pool),
    };
    return guarded as unknown as Pool;
  }

  async onApplicationShutdown(): Promise<void> {
    const closers = this.closers;
    this.closers = [];
    await Promise.allSettled(closers.map((c) => c()));
  }
}
