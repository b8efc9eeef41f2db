import { Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppError } from '../errors/app-error';

/**
 * Work that runs after the answer: where an endpoint answers the same for every address (register, resend, forgot),
 * its timing must not wait for work only known addresses do (codes, audit rows, mail, provider calls). Failures are
 * logged by code only (an error's text may quote a query's values), and shutdown waits for what is still running.
 */
@Injectable()
export class DeferredWork implements OnApplicationShutdown {
  private readonly log = new Logger(DeferredWork.name);
  private readonly pending = new Set<Promise<void>>();

  /** Starts `work` and returns at once. `what` names it in the log line of a failure. */
  run(what: string, requestId: string | undefined, work: () => Promise<void>): void {
    const task = work()
      .catch((err: unknown) => {
        const code = err instanceof AppError ? err.code : err instanceof Error ? err.name : 'unknown';
        this.log.error({ what, requestId, code }, `${what}: work after the answer failed`);
      })
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves once everything started so far has finished (shutdown, and tests that need it settled). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.settled();
  }
}

/** Global: every feature that answers before its work is done uses the one queue (and tests wait on it). */
@Global()
@Module({ providers: [DeferredWork], exports: [DeferredWork] })
export class DeferredWorkModule {}
