import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { OnboardingService } from '../../users';
import { BillingStore } from './billing.store';
import { userEntitled } from './entitlement';

/**
 * Turns a user's mirrored subscriptions into ladder moves, in the caller's transaction: entitlement is a fact beside
 * the ladder (remembered for a user not yet at pending_subscription), its loss suspends an active user as `billing`,
 * and its return lifts only billing's suspension (an administrator's stays: the ladder refuses HELD_BY_ADMIN).
 */
@Injectable()
export class EntitlementService {
  constructor(
    private readonly store: BillingStore,
    private readonly ladder: OnboardingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async evaluate(tx: EntityManager, userId: string, detail: Record<string, unknown>, now = new Date()): Promise<boolean> {
    const entitled = userEntitled(await this.store.subscriptionsOf(tx, userId), now, this.config.stripe.pastDueGraceDays);
    const opts = { tx, detail };
    if (entitled) {
      await this.ladder.recordFact(userId, 'entitled', 'stripe', opts);
      await this.ladder.unblock(userId, 'suspended', 'billing', 'stripe', opts);
      return true;
    }
    const after = await this.ladder.withdrawFact(userId, 'entitled', 'stripe', opts);
    // pending_subscription right after the withdrawal means every other step was passed and no block was laid:
    // the user was active, so the loss is a billing suspension (lifted by billing when payment returns).
    if (after?.status === 'pending_subscription') {
      await this.ladder.block(userId, { kind: 'suspended', by: 'billing', reason: 'subscription not paid' }, 'stripe', opts);
    }
    return false;
  }
}
