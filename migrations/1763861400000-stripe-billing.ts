import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stripe billing, owned by WebhooksModule (src/webhooks/):
 * - `billing_customers`: the user ↔ Stripe customer link, moved off auth.users (existing values copied);
 * - `subscriptions`: a mirror of each Stripe subscription; `past_due_since` starts the grace clock, and
 *   `last_event_created` is the newest event applied (without an API key, an older one never overwrites it);
 * - `stripe_events`: the ledger, one row per verified event id, written in the transaction of its effect.
 */
export class StripeBilling1763861400000 implements MigrationInterface {
  name = 'StripeBilling1763861400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth.billing_customers (
        user_id uuid NOT NULL UNIQUE REFERENCES auth.users(id) ON DELETE CASCADE,
        customer_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO auth.billing_customers (user_id, customer_id) SELECT id, stripe_customer_id FROM auth.users WHERE stripe_customer_id IS NOT NULL`);
    await q.query(`ALTER TABLE auth.users DROP COLUMN stripe_customer_id`);
    await q.query(`
      CREATE TABLE auth.subscriptions (
        id text PRIMARY KEY,
        customer_id text,
        user_id uuid REFERENCES auth.users(id) ON DELETE SET NULL,
        status text NOT NULL,
        current_period_end timestamptz,
        cancel_at_period_end boolean NOT NULL DEFAULT false,
        past_due_since timestamptz,
        last_event_created bigint,
        last_synced_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX subscriptions_user_idx ON auth.subscriptions (user_id)`);
    await q.query(`
      CREATE TABLE auth.stripe_events (
        seq bigserial PRIMARY KEY,
        event_id text NOT NULL UNIQUE,
        type text NOT NULL,
        object_id text,
        created bigint NOT NULL,
        livemode boolean NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('applied', 'stale', 'unmapped', 'ignored')),
        detail text,
        user_id uuid,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX stripe_events_outcome_idx ON auth.stripe_events (outcome, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.stripe_events`);
    await q.query(`DROP TABLE auth.subscriptions`);
    await q.query(`ALTER TABLE auth.users ADD COLUMN stripe_customer_id text UNIQUE`);
    await q.query(`UPDATE auth.users u SET stripe_customer_id = b.customer_id FROM auth.billing_customers b WHERE b.user_id = u.id`);
    await q.query(`DROP TABLE auth.billing_customers`);
  }
}
