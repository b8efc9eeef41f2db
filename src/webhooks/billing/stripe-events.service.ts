import { Inject, Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { UsersService } from '../../users';
import { BillingStore, type LedgerOutcome } from './billing.store';
import { readSubscription } from './subscription-snapshot';
import { SubscriptionSync, type SyncResult } from './subscription-sync';

export type Handled = { outcome: LedgerOutcome | 'duplicate' };

type Loose = Record<string, unknown>;
const idOf = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as Loose).id === 'string' ? ((v as Loose).id as string) : null);

/**
 * One verified event, applied exactly once: its ledger row and its effect commit together, so a failure anywhere
 * rolls both back (the 5xx makes Stripe redeliver, and the redelivery finds no row), and a redelivery of an applied
 * event finds the row and changes nothing.
 */
@Injectable()
export class StripeEventsService {
  private readonly log = new Logger(StripeEventsService.name);

  constructor(
    private readonly store: BillingStore,
    private readonly sync: SubscriptionSync,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(event: Stripe.Event): Promise<Handled> {
    const object = event.data?.object as unknown as Loose | undefined;
    return this.store.db.transaction(async (tx) => {
      const claimed = await this.store.claimEvent(tx, { id: event.id, type: event.type, objectId: idOf(object), created: event.created, livemode: event.livemode });
      if (!claimed) return { outcome: 'duplicate' as const };
      const result = await this.apply(tx, event, object ?? {});
      await this.store.settleEvent(tx, event.id, result.outcome, result.detail, result.userId);
      this.log.log({ stripeEvent: event.id, type: event.type, outcome: result.outcome, detail: result.detail }, 'stripe event');
      return { outcome: result.outcome };
    });
  }

  private async apply(tx: EntityManager, event: Stripe.Event, object: Loose): Promise<SyncResult> {
    if (event.livemode !== this.config.stripe.livemode) return { outcome: 'ignored', detail: `${event.livemode ? 'live' : 'test'} mode event`, userId: null };
    const at = { id: event.id, created: event.created };
    if (event.type.startsWith('customer.subscription.')) {
      const snapshot = readSubscription(object);
      if (!snapshot) return { outcome: 'ignored', detail: 'unreadable subscription', userId: null };
      return this.sync.sync(tx, snapshot.id, snapshot, at);
    }
    if (event.type === 'checkout.session.completed') return this.checkoutCompleted(tx, event.id, object, at);
    if (event.type.startsWith('invoice.')) {
      // An invoice says a payment moved; the subscription's state is re-read (with a key) rather than guessed.
      const details = (object.parent as Loose | undefined)?.subscription_details as Loose | undefined;
      const sub = idOf(object.subscription) ?? idOf(details?.subscription);
      if (sub) return this.sync.sync(tx, sub, null, at);
    }
    return { outcome: 'ignored', detail: 'event type not used', userId: null };
  }

  /** client_reference_id names the user (our Checkout set it); the customer is linked to them if nothing disagrees. */
  private async checkoutCompleted(tx: EntityManager, eventId: string, session: Loose, at: { id: string; created: number }): Promise<SyncResult> {
    const userId = typeof session.client_reference_id === 'string' ? session.client_reference_id : null;
    const customer = idOf(session.customer);
    if (!SubscriptionSync.isUuid(userId) || !customer || !(await this.users.findById(userId))) return { outcome: 'unmapped', detail: 'no known client_reference_id or customer', userId: null };
    const linkedUser = await this.store.userOfCustomer(tx, customer);
    const usersCustomer = await this.store.customerOfUser(tx, userId);
    if ((linkedUser && linkedUser !== userId) || (usersCustomer && usersCustomer !== customer)) {
      this.log.warn({ stripeEvent: eventId, customer, userId, linkedUser, usersCustomer }, 'stripe: checkout session disagrees with the stored customer link; nobody activated');
      return { outcome: 'unmapped', detail: 'conflict', userId: null };
    }
    if (!linkedUser) await this.store.link(tx, userId, customer);
    const sub = idOf(session.subscription);
    if (sub) {
      const synced = await this.sync.sync(tx, sub, null, at);
      if (synced.outcome === 'applied') return synced;
    }
    await this.sync.adopt(tx, customer, userId, eventId);
    return { outcome: 'applied', detail: 'customer linked', userId };
  }
}
