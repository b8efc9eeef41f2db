import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OnboardingService, UserQueries, type UserEntity } from '../../users';

/** The audit actor of a suspension that ended by itself. */
export const EXPIRY_ACTOR = 'system:suspension-expiry';
const SWEEP_EVERY_MS = 30_000;

/**
 * Timed suspensions (`suspend … until`) end by themselves, two ways: a sweep on every instance every 30 s (so a user
 * nobody looks at is let back in within about that long), and lazily whenever an administrator reads the user (so
 * the console never shows a suspension that is over). Both lift through the ladder like an administrator would
 * (one UPDATE, one audit row by EXPIRY_ACTOR): the user lands where their progress says. Concurrent sweeps are
 * harmless: the second finds the block gone (UNCHANGED) and writes nothing. `now` is a parameter so tests drive it.
 */
@Injectable()
export class SuspensionExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SuspensionExpiry.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly queries: UserQueries,
    private readonly onboarding: OnboardingService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep(new Date()).catch((err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'suspension sweep failed'));
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Lifts every suspension due at `now`; returns the ids lifted. */
  async sweep(now: Date): Promise<string[]> {
    const lifted: string[] = [];
    for (const id of await this.queries.dueSuspensions(now)) if (await this.lift(id)) lifted.push(id);
    return lifted;
  }

  /** The lazy path: true when `user`'s suspension was due at `now` and is now lifted (re-read the user then). */
  async liftIfDue(user: UserEntity, now: Date): Promise<boolean> {
    const until = user.blocks.suspended?.until;
    return until !== undefined && until !== null && new Date(until) <= now && this.lift(user.id);
  }

  private async lift(userId: string): Promise<boolean> {
    // As an administrator: a timed suspension ends whoever laid it (billing's included: the time was its own choice).
    const outcome = await this.onboarding.unblock(userId, 'suspended', 'admin', EXPIRY_ACTOR, { detail: { reason: 'suspension ended' } });
    return outcome?.done === true;
  }
}
