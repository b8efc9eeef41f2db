import { Inject, Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { AppError } from '../../common/errors/app-error';
import { STRIPE_API, type StripeApi, stripeUnavailable } from '../stripe-api';
import { BillingStore } from './billing.store';
import { StripeEventsService } from './stripe-events.service';
import { SubscriptionSync } from './subscription-sync';

const REPLAY_DAYS = 30;

/**
 * `stripe:reconcile`: the safety net under webhooks. Re-syncs every mirrored subscription from the API (this is also
 * the time trigger that suspends a past_due user whose grace ran out with no further event), then replays the
 * events Stripe failed to deliver in the last 30 days through the same ledger (so nothing is applied twice).
 */
@Injectable()
export class StripeReconciler {
  constructor(
    private readonly store: BillingStore,
    private readonly sync: SubscriptionSync,
    private readonly events: StripeEventsService,
    @Inject(STRIPE_API) private readonly api: StripeApi,
  ) {}

  async run(print: (line: string) => void): Promise<{ synced: number; replayed: number }> {
    if (!this.api) throw new AppError('BILLING_NOT_CONFIGURED', 404, 'STRIPE_SECRET_KEY is required to reconcile');
    let synced = 0;
    for (const id of await this.store.subscriptionIds()) {
      const before = await this.store.subscription(this.store.db, id);
      const result = await this.store.db.transaction((tx) => this.sync.sync(tx, id, null, null));
      const after = await this.store.subscription(this.store.db, id);
      if (before?.status !== after?.status) {
        synced += 1;
        print(`subscription ${id}: ${before?.status ?? 'none'} → ${after?.status ?? 'none'} (${result.outcome})`);
      }
    }
    let replayed = 0;
    const since = Math.floor(Date.now() / 1000) - REPLAY_DAYS * 86_400;
    try {
      for await (const event of this.api.events.list({ delivery_success: false, created: { gte: since }, limit: 100 }) as AsyncIterable<Stripe.Event>) {
        if (await this.store.hasEvent(event.id)) continue;
        const { outcome } = await this.events.handle(event);
        replayed += 1;
        print(`event ${event.id} (${event.type}): ${outcome}`);
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw stripeUnavailable(err, 'events.list');
    }
    print(`reconciled: ${synced} subscription(s) changed, ${replayed} undelivered event(s) replayed`);
    return { synced, replayed };
  }
}
