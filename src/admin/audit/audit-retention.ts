import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { startDaily, type DailyRun } from '../../common/schedule/daily-run';
import { AuditTrail, type PruneOutcome } from '../../users';

const DAY_MS = 86_400_000;

/**
 * Once a day on every instance (the first run ten minutes after start-up: common/schedule): prunes the audit trail past AUDIT_RETENTION_DAYS and writes the chain head to the
 * application log, so a copy of the head lives outside the database (a rewritten chain no longer ends on a head that
 * was logged). Concurrent runs are harmless: the prune function locks the head; the second finds nothing to cut.
 * `now` is a parameter so tests drive it.
 */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('AuditTrail');
  private schedule?: DailyRun;

  constructor(
    private readonly trail: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule = startDaily(
      () => this.daily(new Date()),
      (err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'audit retention failed'),
    );
  }

  onApplicationShutdown(): void {
    this.schedule?.stop();
  }

  /** The daily run: prune when a retention is set (which logs the head), else just log the head. */
  async daily(now: Date): Promise<PruneOutcome | null> {
    if (this.config.audit.retentionDays > 0) return this.prune(new Date(now.getTime() - this.config.audit.retentionDays * DAY_MS));
    this.log.log({ head: await this.trail.head() }, 'audit chain head');
    return null;
  }

  /** Prunes rows older than `cutoff` and logs the outcome with the head and the new anchor. */
  async prune(cutoff: Date): Promise<PruneOutcome> {
    const outcome = await this.trail.prune(cutoff);
    this.log.log({ pruned: outcome.pruned, cutoff: cutoff.toISOString(), head: outcome.head }, 'audit chain head');
    return outcome;
  }
}
