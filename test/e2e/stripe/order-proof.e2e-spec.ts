import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../../support/app';
import { deliver, stripeEvent, StripeStub, subscription, WHSEC } from '../../support/stripe';
import { userFactory } from '../../support/user-factory';

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** With STRIPE_SECRET_KEY: each delivery re-fetches the subscription under a per-subscription lock (stub API on loopback). */
describe('Stripe order-proofing (re-fetch mode)', () => {
  let t: TestApp;
  let db: DataSource;
  const stub = new StripeStub();
  beforeAll(async () => {
    await stub.start();
    t = await startTestApp({ STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_SECRET_KEY: 'sk_test_stub', STRIPE_API_URL: stub.url, STRIPE_API_TIMEOUT_MS: '500' });
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
    await stub.close();
  });
  afterEach(() => {
    stub.mode = 'ok';
  });

  const statusOf = async (id: string) => ((await db.query('SELECT status FROM auth.users WHERE id = $1', [id])) as Array<{ status: string }>)[0]!.status;
  const mirror = async (sub: string) => (await db.query('SELECT status FROM auth.subscriptions WHERE id = $1', [sub])) as Array<{ status: string }>;
  const userWithCustomer = async () => {
    const id = await userFactory.row(db, { status: 'pending_subscription' });
    const customer = `cus_${randomUUID().slice(0, 12)}`;
    await db.query('INSERT INTO auth.billing_customers (user_id, customer_id) VALUES ($1, $2)', [id, customer]);
    return { id, customer, sub: `sub_${randomUUID().slice(0, 12)}` };
  };

  it('every order of {created(incomplete), updated(active), updated(past_due), deleted} ends in Stripe\'s final state', async () => {
    for (const final of ['active', 'canceled'] as const) {
      for (const order of permutations(['created', 'active', 'past_due', 'deleted'])) {
        const u = await userWithCustomer();
        stub.subscriptions.set(u.sub, subscription(u.sub, u.customer, final));
        const payloads: Record<string, Record<string, unknown>> = {
          created: stripeEvent('customer.subscription.created', subscription(u.sub, u.customer, 'incomplete')),
          active: stripeEvent('customer.subscription.updated', subscription(u.sub, u.customer, 'active')),
          past_due: stripeEvent('customer.subscription.updated', subscription(u.sub, u.customer, 'past_due')),
          deleted: stripeEvent('customer.subscription.deleted', subscription(u.sub, u.customer, 'canceled')),
        };
        for (const step of order) expect((await deliver(t.url, payloads[step]!)).status).toBe(200);
        expect(await mirror(u.sub)).toEqual([{ status: final }]);
        expect(await statusOf(u.id)).toBe(final === 'active' ? 'active' : 'pending_subscription');
      }
    }
  });

  it('created and updated racing (released together) leave one row', async () => {
    const u = await userWithCustomer();
    stub.subscriptions.set(u.sub, subscription(u.sub, u.customer, 'active'));
    const events = [stripeEvent('customer.subscription.created', subscription(u.sub, u.customer, 'incomplete')), stripeEvent('customer.subscription.updated', subscription(u.sub, u.customer, 'active'))];
    // The barrier: both requests are built first and released in the same tick.
    const answers = await Promise.all(events.map((e) => deliver(t.url, e)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await mirror(u.sub)).toEqual([{ status: 'active' }]);
  });

  it('a re-fetch answered 5xx or timing out is 5xx with nothing applied (no ledger row: Stripe retries)', async () => {
    for (const mode of ['fail', 'hang'] as const) {
      const u = await userWithCustomer();
      stub.subscriptions.set(u.sub, subscription(u.sub, u.customer, 'active'));
      stub.mode = mode;
      const event = stripeEvent('customer.subscription.updated', subscription(u.sub, u.customer, 'active'));
      const res = await deliver(t.url, event);
      expect(res.status).toBe(503);
      expect((res.body.error as { code: string }).code).toBe('STRIPE_UNAVAILABLE');
      expect(await db.query('SELECT 1 FROM auth.stripe_events WHERE event_id = $1', [event.id])).toEqual([]);
      expect(await mirror(u.sub)).toEqual([]);
      expect(await statusOf(u.id)).toBe('pending_subscription');
      stub.mode = 'ok';
      expect((await deliver(t.url, event)).body.outcome).toBe('applied');
    }
  });

  it('a re-fetch answered 404 means the subscription has ended', async () => {
    const u = await userWithCustomer();
    stub.subscriptions.set(u.sub, subscription(u.sub, u.customer, 'active'));
    await deliver(t.url, stripeEvent('customer.subscription.created', subscription(u.sub, u.customer, 'active')));
    expect(await statusOf(u.id)).toBe('active');
    stub.subscriptions.delete(u.sub);
    await deliver(t.url, stripeEvent('customer.subscription.updated', subscription(u.sub, u.customer, 'active')));
    expect(await mirror(u.sub)).toEqual([{ status: 'canceled' }]);
    expect(await statusOf(u.id)).toBe('suspended');
  });
});
