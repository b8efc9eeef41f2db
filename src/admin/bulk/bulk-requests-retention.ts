import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { startDaily, type DailyRun } from '../../common/schedule/daily-run';
import { BulkRequests } from './bulk-requests.store';

const HOUR_MS = 3_600_000;

/**
 * Once a day on every instance (the first run ten minutes after start-up), as the audit retention runs: prunes bulk Idempotency-Key records older than
 * ADMIN_BULK_IDEMPOTENCY_HOURS (default 24, as Stripe keeps its keys), so the table holds about a day or two of keys
 * instead of every key ever sent. Concurrent runs are harmless: the second finds nothing to delete. `now` is a
 * parameter so tests drive it.
 */
@Injectable()
export class BulkRequestsRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('AdminBulk');
  private schedule?: DailyRun;

  constructor(
    private readonly requests: BulkRequests,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule = startDaily(
      () => this.daily(new Date()),
      (err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'bulk idempotency retention failed'),
    );
  }

  onApplicationShutdown(): void {
    this.schedule?.stop();
  }

  /** The daily run: deletes the records created more than the window before `now`; answers how many went. */
  async daily(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.adminBulk.idempotencyHours * HOUR_MS);
    const pruned = await this.requests.prune(cutoff);
    if (pruned > 0) this.log.log({ pruned, cutoff: cutoff.toISOString() }, 'bulk idempotency records pruned');
    return pruned;
  }
}
