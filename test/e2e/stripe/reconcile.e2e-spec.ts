import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { StripeReconciler } from '../../../src/webhooks/billing/stripe-reconciler';
import { startTestApp, TestApp } from '../../support/app';
import { deliver, stripeEvent, StripeStub, subscription, WHSEC } from '../../support/stripe';
import { userFactory } from '../../support/user-factory';

describe('stripe:reconcile', () => {
  let t: TestApp;
  let db: DataSource;
  const stub = new StripeStub();
  beforeAll(async () => {
    await stub.start();
    t = await startTestApp({ STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_SECRET_KEY: 'sk_test_stub', STRIPE_API_URL: stub.url });
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
    await stub.close();
  });
  const statusOf = async (id: string) => ((await db.query('SELECT status FROM auth.users WHERE id = $1', [id])) as Array<{ status: string }>)[0]!.status;

  it('fixes a deliberately dropped event: mirrored subscriptions re-synced, undelivered events replayed once', async () => {
    const a = await userFactory.row(db, { status: 'pending_subscription' });
    const b = await userFactory.row(db, { status: 'pending_subscription' });
    const [subA, subB] = [`sub_${randomUUID().slice(0, 8)}`, `sub_${randomUUID().slice(0, 8)}`];
    // A: Stripe says incomplete at first (delivered), then active (that update was dropped).
    stub.subscriptions.set(subA, subscription(subA, 'cus_a' + subA, 'incomplete', { metadata: { userId: a } }));
    await deliver(t.url, stripeEvent('customer.subscription.created', stub.subscriptions.get(subA)!));
    stub.subscriptions.set(subA, subscription(subA, 'cus_a' + subA, 'active', { metadata: { userId: a } }));
    // B: its only event never reached Gatehouse; Stripe lists it as undelivered.
    stub.subscriptions.set(subB, subscription(subB, 'cus_b' + subB, 'active', { metadata: { userId: b } }));
    const dropped = stripeEvent('customer.subscription.created', stub.subscriptions.get(subB)!);
    stub.events.push(dropped);
    expect([await statusOf(a), await statusOf(b)]).toEqual(['pending_subscription', 'pending_subscription']);

    const lines: string[] = [];
    await t.app.get(StripeReconciler).run((l) => lines.push(l));
    expect([await statusOf(a), await statusOf(b)]).toEqual(['active', 'active']);
    expect(lines).toEqual(expect.arrayContaining([`subscription ${subA}: incomplete → active (applied)`, `event ${dropped.id as string} (customer.subscription.created): applied`]));
    const listed = new URL(stub.url + stub.requests.filter((r) => r.path.startsWith('/v1/events')).at(-1)!.path).searchParams;
    expect(listed.get('delivery_success')).toBe('false');

    const again: string[] = [];
    await t.app.get(StripeReconciler).run((l) => again.push(l));
    expect(again).toEqual(['reconciled: 0 subscription(s) changed, 0 undelivered event(s) replayed']);
  });
});
