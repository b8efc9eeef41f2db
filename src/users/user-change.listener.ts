import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { USER_STATUSES, type UserStatus } from '../common/user-status';
import { reconnectDelayMs } from './reconnect-backoff';
import { USER_CHANGED, USER_CHANGES_RESET, UserChanged } from './user-events';

const CHANNEL = 'gatehouse_user_changed';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Injection token: true while this instance is LISTENing, i.e. while cached user state can be trusted. */
export const USER_CHANGE_FEED = Symbol('USER_CHANGE_FEED');
export interface UserChangeFeed {
  readonly live: boolean;
}

/**
 * LISTENs on the channel the `auth.users` trigger NOTIFYs after every committed change, on a dedicated connection,
 * and re-emits each as a USER_CHANGED domain event (see its contract in user-events.ts). Every instance connected to the database hears every change,
 * whoever made it. While the connection is down the feed is not `live`, caches must not be trusted, and on
 * reconnect USER_CHANGES_RESET tells them to drop everything (changes may have been missed meanwhile).
 */
@Injectable()
export class UserChangeListener implements OnModuleInit, OnApplicationShutdown, UserChangeFeed {
  private readonly logger = new Logger(UserChangeListener.name);
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  /** Failed attempts since the feed was last up (0 while it is up): sets the backoff and says when to log. */
  private failures = 0;
  live = false;
  /** Test hook (see `interceptDelivery`): every notice passes through it on its way to the listeners. */
  private deliver: (emit: () => void) => void = (emit) => emit();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(EventEmitter2) private readonly events: EventEmitter2,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connect().catch((err: unknown) => this.scheduleRetry(err));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    this.live = false;
    await c?.end().catch(() => undefined);
  }

  /**
   * Test hook: `hook` receives each notice's delivery and may run it late (or never), e.g. to show that nothing on the
   * committing instance waits for its own NOTIFY. Without an argument, delivery is immediate again.
   */
  interceptDelivery(hook?: (emit: () => void) => void): void {
    this.deliver = hook ?? ((emit) => emit());
  }

  private async connect(): Promise<void> {
    const opts = this.db.options as { url?: string };
    const client = new Client({ connectionString: opts.url, application_name: 'gatehouse-listener' });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      const payload = parseNotice(msg.payload);
      if (payload) this.deliver(() => this.events.emit(USER_CHANGED, payload));
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      // A half-open attempt must not stay behind as a connection of its own.
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.live = true;
    if (this.failures > 0) this.logger.log(`user change feed back after ${this.failures} failed attempt(s); user caching is on again`);
    this.failures = 0;
    // Anything cached before this point may have missed a change.
    this.events.emit(USER_CHANGES_RESET);
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.live = false;
    this.events.emit(USER_CHANGES_RESET);
    client.end().catch(() => undefined);
    this.scheduleRetry(err);
  }

  /** One warning when the feed goes down and one line when it is back; each attempt in between only at debug. */
  private scheduleRetry(err: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    const delay = reconnectDelayMs(this.failures);
    const cause = (err as Error)?.message;
    if (this.failures === 1) this.logger.warn({ err: cause, retryInMs: delay }, 'user change feed down; user caching is off until it reconnects');
    else this.logger.debug({ err: cause, retryInMs: delay, failures: this.failures }, 'user change feed reconnect failed');
    this.retryTimer = setTimeout(() => {
      this.connect().catch((e: unknown) => this.scheduleRetry(e));
    }, delay);
    this.retryTimer.unref();
  }
}

/**
 * A notice's payload: `{"id", "status", "old_status", "tokens_valid_after"}` from the users trigger, `{"id",
 * "sessions": true}` from revoked sessions, or a bare id (the form before migration 1763861000000). Anything else is
 * ignored: the channel is open to any database session, so nothing in it is trusted beyond its shape.
 */
export function parseNotice(raw: string): UserChanged | null {
  if (UUID.test(raw)) return { userId: raw, source: 'feed' };
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.id !== 'string' || !UUID.test(o.id)) return null;
  if (o.sessions === true) return { userId: o.id, sessions: true, source: 'feed' };
  const tva = typeof o.tokens_valid_after === 'string' ? new Date(o.tokens_valid_after) : null;
  return {
    userId: o.id,
    status: statusOrNull(o.status),
    previousStatus: statusOrNull(o.old_status),
    tokensValidAfter: tva && !Number.isNaN(tva.getTime()) ? tva : null,
    source: 'feed',
  };
}

function statusOrNull(v: unknown): UserStatus | null {
  return typeof v === 'string' && (USER_STATUSES as readonly string[]).includes(v) ? (v as UserStatus) : null;
}
