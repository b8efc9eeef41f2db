import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UsersService } from '../../users';
import { isMissing, STRIPE_API, type StripeApi, stripeUnavailable } from '../stripe-api';
import { BillingStore, type LedgerOutcome } from './billing.store';
import { EntitlementService } from './entitlement.service';
import { nextPastDueSince } from './entitlement';
import { readSubscription, type SubscriptionSnapshot } from './subscription-snapshot';
import { mapToUser } from './user-mapping';

export interface SyncResult {
  outcome: LedgerOutcome;
  detail: string | null;
  userId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Brings one subscription's mirror to the truth, under a per-subscription advisory lock held to the commit.
 * With an API key the truth is Stripe's current state, re-fetched inside the lock, so deliveries in any order end in
 * the same place (a 404 means the subscription is gone). Without one it is the payload, unless an event newer than
 * this one was already applied ("stale"): Stripe does not order deliveries.
 */
@Injectable()
export class SubscriptionSync {
  private readonly log = new Logger(SubscriptionSync.name);

  constructor(
    private readonly store: BillingStore,
    private readonly entitlement: EntitlementService,
    private readonly users: UsersService,
    @Inject(STRIPE_API) private readonly api: StripeApi,
  ) {}

  async sync(tx: EntityManager, subscriptionId: string, payload: SubscriptionSnapshot | null, event: { id: string; created: number } | null): Promise<SyncResult> {
    await this.store.lockSubscription(tx, subscriptionId);
    const stored = await this.store.subscription(tx, subscriptionId);
    let snapshot: SubscriptionSnapshot | null;
    if (this.api) {
      snapshot = await this.fetch(subscriptionId, payload, stored);
      if (!snapshot) return { outcome: 'ignored', detail: 'subscription unknown to Stripe and to Gatehouse', userId: null };
    } else {
      if (!payload) return { outcome: 'ignored', detail: 'no subscription in the payload and no API key to fetch it', userId: stored?.userId ?? null };
      if (event && stored?.lastEventCreated != null && event.created < stored.lastEventCreated) return { outcome: 'stale', detail: `older than the applied event (${stored.lastEventCreated})`, userId: stored.userId };
      snapshot = payload;
    }
    const mapping = await this.map(tx, snapshot, stored?.userId ?? null);
    const userId = 'userId' in mapping ? mapping.userId : null;
    if ('unmapped' in mapping && mapping.unmapped === 'conflict') {
      this.log.warn({ subscription: snapshot.id, customer: snapshot.customerId, candidates: mapping.candidates }, 'stripe: metadata.userId and the stored customer link disagree; nobody activated');
    }
    if ('link' in mapping && mapping.link && snapshot.customerId) await this.store.link(tx, mapping.userId, snapshot.customerId);
    const now = new Date();
    await this.store.upsertSubscription(tx, snapshot, userId, nextPastDueSince(stored, snapshot.status, now), event?.created ?? null);
    if (!userId) return { outcome: 'unmapped', detail: 'unmapped' in mapping ? mapping.unmapped : null, userId: null };
    await this.entitlement.evaluate(tx, userId, { subscription: snapshot.id, status: snapshot.status, ...(event ? { event: event.id } : {}) }, now);
    return { outcome: 'applied', detail: snapshot.status, userId };
  }

  private async fetch(id: string, payload: SubscriptionSnapshot | null, stored: { customerId: string | null; userId: string | null } | null): Promise<SubscriptionSnapshot | null> {
    try {
      return readSubscription(await this.api!.subscriptions.retrieve(id));
    } catch (err) {
      if (!isMissing(err)) throw stripeUnavailable(err, `subscriptions.retrieve ${id}`);
      // Gone at Stripe: whatever we knew of it, it has ended.
      const known = payload ?? (stored ? { id, customerId: stored.customerId, currentPeriodEnd: null, cancelAtPeriodEnd: false, metadataUserId: null, status: 'canceled' } : null);
      return known ? { ...known, status: 'canceled' } : null;
    }
  }

  private async map(tx: EntityManager, s: SubscriptionSnapshot, storedUserId: string | null) {
    const claimed = s.metadataUserId && UUID.test(s.metadataUserId) ? s.metadataUserId : null;
    const claimedExists = claimed ? (await this.users.findById(claimed)) !== null : false;
    const linked = s.customerId ? await this.store.userOfCustomer(tx, s.customerId) : null;
    return mapToUser({
      claimedUserId: claimed,
      claimedExists,
      linkedUserId: linked ?? (s.customerId ? storedUserId : null),
      claimedUsersCustomer: claimed ? await this.store.customerOfUser(tx, claimed) : null,
      customerId: s.customerId,
    });
  }

  /** A user linked to a customer by Checkout: subscriptions seen earlier are adopted and the entitlement evaluated. */
  async adopt(tx: EntityManager, customerId: string, userId: string, eventId: string): Promise<void> {
    await this.store.adoptSubscriptions(tx, customerId, userId);
    await this.entitlement.evaluate(tx, userId, { customer: customerId, event: eventId });
  }

  static isUuid(v: string | null | undefined): v is string {
    return typeof v === 'string' && UUID.test(v);
  }
}
