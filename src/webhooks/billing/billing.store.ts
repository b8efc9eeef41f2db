import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { SubscriptionFacts } from './entitlement';
import type { SubscriptionSnapshot } from './subscription-snapshot';

export type LedgerOutcome = 'applied' | 'stale' | 'unmapped' | 'ignored';
export const LEDGER_OUTCOMES: readonly LedgerOutcome[] = ['applied', 'stale', 'unmapped', 'ignored'];

export interface LedgerEvent {
  id: string;
  type: string;
  objectId: string | null;
  created: number;
  livemode: boolean;
}

export interface StoredSubscription extends SubscriptionFacts {
  id: string;
  customerId: string | null;
  userId: string | null;
  lastEventCreated: number | null;
}

export interface LedgerRow {
  seq: string;
  eventId: string;
  type: string;
  objectId: string | null;
  created: number;
  livemode: boolean;
  outcome: LedgerOutcome;
  detail: string | null;
  userId: string | null;
  receivedAt: Date;
}

/** Webhooks' tables (billing_customers, subscriptions, stripe_events); every write joins the caller's transaction. */
@Injectable()
export class BillingStore {
  constructor(readonly db: DataSource) {}

  /** Claims an event id for this transaction: false when it is already recorded (a redelivery, changes nothing). */
  async claimEvent(tx: EntityManager, e: LedgerEvent): Promise<boolean> {
    // A concurrent claimer of the same id waits here on the unique index until this transaction ends.
    const rows: unknown[] = await tx.query(
      `INSERT INTO auth.stripe_events (event_id, type, object_id, created, livemode, outcome) VALUES ($1, $2, $3, $4, $5, 'ignored')
       ON CONFLICT (event_id) DO NOTHING RETURNING seq`,
      [e.id, e.type, e.objectId, e.created, e.livemode],
    );
    return rows.length === 1;
  }

  async settleEvent(tx: EntityManager, eventId: string, outcome: LedgerOutcome, detail: string | null, userId: string | null): Promise<void> {
    await tx.query(`UPDATE auth.stripe_events SET outcome = $2, detail = $3, user_id = $4 WHERE event_id = $1`, [eventId, outcome, detail, userId]);
  }

  async hasEvent(eventId: string): Promise<boolean> {
    return ((await this.db.query(`SELECT 1 FROM auth.stripe_events WHERE event_id = $1`, [eventId])) as unknown[]).length > 0;
  }

  /** The ledger, newest first, keyset-paged on `seq`. */
  async ledger(outcome: LedgerOutcome | undefined, before: string | undefined, limit: number): Promise<LedgerRow[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT seq::text, event_id, type, object_id, created::float8 AS created, livemode, outcome, detail, user_id, received_at
         FROM auth.stripe_events WHERE ($1::text IS NULL OR outcome = $1) AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3`,
      [outcome ?? null, before ?? null, limit],
    );
    return rows.map((r) => ({
      seq: r.seq as string, eventId: r.event_id as string, type: r.type as string, objectId: r.object_id as string | null, created: r.created as number,
      livemode: r.livemode as boolean, outcome: r.outcome as LedgerOutcome, detail: r.detail as string | null, userId: r.user_id as string | null, receivedAt: r.received_at as Date,
    }));
  }

  /** Serialises every write to one subscription (deliveries, the reconciler, other instances) until the commit. */
  async lockSubscription(tx: EntityManager, subscriptionId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`stripe-subscription:${subscriptionId}`]);
  }

  async subscription(tx: EntityManager | DataSource, id: string): Promise<StoredSubscription | null> {
    const rows: Array<Record<string, unknown>> = await tx.query(
      `SELECT id, customer_id, user_id, status, past_due_since, last_event_created::float8 AS last_event_created FROM auth.subscriptions WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    return r ? { id: r.id as string, customerId: r.customer_id as string | null, userId: r.user_id as string | null, status: r.status as string, pastDueSince: r.past_due_since as Date | null, lastEventCreated: r.last_event_created as number | null } : null;
  }

  async upsertSubscription(tx: EntityManager, s: SubscriptionSnapshot, userId: string | null, pastDueSince: Date | null, eventCreated: number | null): Promise<void> {
    await tx.query(
      `INSERT INTO auth.subscriptions (id, customer_id, user_id, status, current_period_end, cancel_at_period_end, past_due_since, last_event_created, last_synced_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id, user_id = EXCLUDED.user_id, status = EXCLUDED.status,
         current_period_end = EXCLUDED.current_period_end, cancel_at_period_end = EXCLUDED.cancel_at_period_end, past_due_since = EXCLUDED.past_due_since,
         last_event_created = GREATEST(auth.subscriptions.last_event_created, EXCLUDED.last_event_created), last_synced_at = now()`,
      [s.id, s.customerId, userId, s.status, s.currentPeriodEnd, s.cancelAtPeriodEnd, pastDueSince, eventCreated],
    );
  }

  async subscriptionsOf(tx: EntityManager | DataSource, userId: string): Promise<Array<StoredSubscription & { currentPeriodEnd: Date | null; cancelAtPeriodEnd: boolean }>> {
    const rows: Array<Record<string, unknown>> = await tx.query(
      `SELECT id, customer_id, user_id, status, past_due_since, last_event_created::float8 AS last_event_created, current_period_end, cancel_at_period_end
         FROM auth.subscriptions WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id as string, customerId: r.customer_id as string | null, userId: r.user_id as string | null, status: r.status as string, pastDueSince: r.past_due_since as Date | null,
      lastEventCreated: r.last_event_created as number | null, currentPeriodEnd: r.current_period_end as Date | null, cancelAtPeriodEnd: r.cancel_at_period_end as boolean,
    }));
  }

  /** Every mirrored subscription id (the reconciler's list). */
  async subscriptionIds(): Promise<string[]> {
    return ((await this.db.query(`SELECT id FROM auth.subscriptions ORDER BY id`)) as Array<{ id: string }>).map((r) => r.id);
  }

  async userOfCustomer(tx: EntityManager | DataSource, customerId: string): Promise<string | null> {
    const rows: Array<{ user_id: string }> = await tx.query(`SELECT user_id FROM auth.billing_customers WHERE customer_id = $1`, [customerId]);
    return rows[0]?.user_id ?? null;
  }

  async customerOfUser(tx: EntityManager | DataSource, userId: string): Promise<string | null> {
    const rows: Array<{ customer_id: string }> = await tx.query(`SELECT customer_id FROM auth.billing_customers WHERE user_id = $1`, [userId]);
    return rows[0]?.customer_id ?? null;
  }

  /** Links a customer to a user; false when either is already linked elsewhere (the unique indexes decide). */
  async link(tx: EntityManager | DataSource, userId: string, customerId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(`INSERT INTO auth.billing_customers (user_id, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id`, [userId, customerId]);
    return rows.length === 1;
  }

  /** Subscriptions of a customer seen before the customer was linked now belong to its user. */
  async adoptSubscriptions(tx: EntityManager, customerId: string, userId: string): Promise<void> {
    await tx.query(`UPDATE auth.subscriptions SET user_id = $2 WHERE customer_id = $1 AND user_id IS NULL`, [customerId, userId]);
  }
}
