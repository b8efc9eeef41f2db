import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OnboardingService } from '../../../src/users/onboarding/onboarding.service';
import { startTestApp, TestApp } from '../../support/app';
import { deliver, stripeEvent, subscription, WHSEC } from '../../support/stripe';
import { userFactory } from '../../support/user-factory';

/** Without STRIPE_SECRET_KEY: payloads applied, never older over newer; entitlement moves the ladder. */
describe('Stripe entitlement and ledger (payload mode)', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startTestApp({ STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_PAST_DUE_GRACE_DAYS: '3' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const statusOf = async (id: string) => ((await db.query('SELECT status FROM auth.users WHERE id = $1', [id])) as Array<{ status: string }>)[0]!.status;
  const auditOf = async (id: string) => ((await db.query(`SELECT type FROM auth.user_events WHERE user_id = $1 AND actor = 'stripe' ORDER BY id`, [id])) as Array<{ type: string }>).map((r) => r.type);
  const ledger = async (id: string) => ((await db.query('SELECT outcome FROM auth.stripe_events WHERE event_id = $1', [id])) as Array<{ outcome: string }>).map((r) => r.outcome);
  const userWithCustomer = async (status: 'pending_subscription' | 'active' | 'pending_approval' = 'pending_subscription') => {
    const id = await userFactory.row(db, { status });
    const customer = `cus_${randomUUID().slice(0, 12)}`;
    await db.query('INSERT INTO auth.billing_customers (user_id, customer_id) VALUES ($1, $2)', [id, customer]);
    return { id, customer, sub: `sub_${randomUUID().slice(0, 12)}` };
  };
  const send = (type: string, sub: Record<string, unknown>, opts: { created?: number } = {}) => {
    const event = stripeEvent(type, sub, opts);
    return deliver(t.url, event).then((res) => ({ ...res, id: event.id as string }));
  };

  it('a signed updated(active) takes a pending_subscription user to active, recorded as applied', async () => {
    const u = await userWithCustomer();
    const res = await send('customer.subscription.updated', subscription(u.sub, u.customer, 'active'));
    expect(res).toMatchObject({ status: 200, body: { outcome: 'applied' } });
    expect(await statusOf(u.id)).toBe('active');
    expect(await ledger(res.id)).toEqual(['applied']);
  });

  it('the same event 50× concurrently: every answer 2xx, one transition, one audit row, one ledger row', async () => {
    const u = await userWithCustomer();
    const event = stripeEvent('customer.subscription.created', subscription(u.sub, u.customer, 'active'));
    const answers = await Promise.all(Array.from({ length: 50 }, () => deliver(t.url, event)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.outcome === 'applied')).toHaveLength(1);
    expect(await auditOf(u.id)).toEqual(['status.subscription_created']);
    expect(await ledger(event.id as string)).toEqual(['applied']);
  });

  it('a database failure after the ledger insert is 5xx with nothing kept; the redelivery applies once', async () => {
    const u = await userWithCustomer();
    // A real failure inside the transaction, after the ledger row is written: the subscriptions insert raises.
    await db.query(`CREATE OR REPLACE FUNCTION auth.test_fail_sub() RETURNS trigger AS $$ BEGIN IF NEW.id = '${u.sub}' THEN RAISE EXCEPTION 'injected'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.query(`CREATE TRIGGER test_fail_sub BEFORE INSERT ON auth.subscriptions FOR EACH ROW EXECUTE FUNCTION auth.test_fail_sub()`);
    const event = stripeEvent('customer.subscription.created', subscription(u.sub, u.customer, 'active'));
    try {
      const first = await deliver(t.url, event);
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(await ledger(event.id as string)).toEqual([]);
      expect(await statusOf(u.id)).toBe('pending_subscription');
    } finally {
      await db.query('DROP TRIGGER test_fail_sub ON auth.subscriptions');
    }
    expect((await deliver(t.url, event)).body.outcome).toBe('applied');
    expect((await deliver(t.url, event)).body.outcome).toBe('duplicate');
    expect(await auditOf(u.id)).toEqual(['status.subscription_created']);
  });

  it('an older event never overwrites a newer one without an API key (stale)', async () => {
    const u = await userWithCustomer();
    await send('customer.subscription.deleted', subscription(u.sub, u.customer, 'canceled'), { created: 2_000_000_100 });
    const old = await send('customer.subscription.updated', subscription(u.sub, u.customer, 'active'), { created: 2_000_000_050 });
    expect(old.body.outcome).toBe('stale');
    expect(await statusOf(u.id)).toBe('pending_subscription');
  });

  it('an unmapped customer is 2xx and unmapped; customer: null never matches anyone', async () => {
    const u = await userWithCustomer();
    const res = await send('customer.subscription.updated', subscription(`sub_${randomUUID().slice(0, 8)}`, 'cus_nobody', 'active'));
    expect(res).toMatchObject({ status: 200, body: { outcome: 'unmapped' } });
    const nul = await send('customer.subscription.updated', subscription(`sub_${randomUUID().slice(0, 8)}`, null, 'active'));
    expect(nul).toMatchObject({ status: 200, body: { outcome: 'unmapped' } });
    expect(await statusOf(u.id)).toBe('pending_subscription');
  });

  it('metadata.userId maps and links an unlinked customer; a conflict with the stored link activates nobody', async () => {
    const fresh = await userFactory.row(db, { status: 'pending_subscription' });
    const linked = await send('customer.subscription.created', subscription(`sub_${randomUUID().slice(0, 8)}`, `cus_${randomUUID().slice(0, 8)}`, 'active', { metadata: { userId: fresh } }));
    expect(linked.body.outcome).toBe('applied');
    expect(await statusOf(fresh)).toBe('active');
    const a = await userWithCustomer();
    const b = await userWithCustomer();
    const conflict = await send('customer.subscription.created', subscription(a.sub, a.customer, 'active', { metadata: { userId: b.id } }));
    expect(conflict).toMatchObject({ status: 200, body: { outcome: 'unmapped' } });
    expect([await statusOf(a.id), await statusOf(b.id)]).toEqual(['pending_subscription', 'pending_subscription']);
  });

  it('trialing entitles, paused does not', async () => {
    const u = await userWithCustomer();
    await send('customer.subscription.created', subscription(u.sub, u.customer, 'trialing'));
    expect(await statusOf(u.id)).toBe('active');
    await send('customer.subscription.paused', subscription(u.sub, u.customer, 'paused'));
    expect(await statusOf(u.id)).toBe('suspended');
  });

  it('past_due keeps access inside the grace; after it the next event for the subscription suspends', async () => {
    const u = await userWithCustomer('active');
    await send('customer.subscription.updated', subscription(u.sub, u.customer, 'active'));
    await send('customer.subscription.updated', subscription(u.sub, u.customer, 'past_due'));
    expect(await statusOf(u.id)).toBe('active');
    // Four days pass (grace is 3): the clock is moved back rather than waited for.
    await db.query(`UPDATE auth.subscriptions SET past_due_since = now() - interval '4 days' WHERE id = $1`, [u.sub]);
    await send('customer.subscription.updated', subscription(u.sub, u.customer, 'past_due'));
    expect(await statusOf(u.id)).toBe('suspended');
    const blocks = ((await db.query('SELECT blocks FROM auth.users WHERE id = $1', [u.id])) as Array<{ blocks: { suspended: { by: string } } }>)[0]!.blocks;
    expect(blocks.suspended.by).toBe('billing');
  });

  it('a billing suspension is lifted by a later updated(active); an administrator\'s survives it', async () => {
    const u = await userWithCustomer('active');
    await send('customer.subscription.updated', subscription(u.sub, u.customer, 'unpaid'));
    expect(await statusOf(u.id)).toBe('suspended');
    await send('customer.subscription.updated', subscription(u.sub, u.customer, 'active'));
    expect(await statusOf(u.id)).toBe('active');
    await t.app.get(OnboardingService).apply(u.id, 'SUSPENDED', 'admin:1');
    await send('customer.subscription.updated', subscription(u.sub, u.customer, 'active'));
    expect(await statusOf(u.id)).toBe('suspended');
  });

  it('payment before approval is remembered: approval then lands on active without another event', async () => {
    const u = await userWithCustomer('pending_approval');
    await send('customer.subscription.created', subscription(u.sub, u.customer, 'active'));
    expect(await statusOf(u.id)).toBe('pending_approval');
    await t.app.get(OnboardingService).apply(u.id, 'APPROVED', 'admin:1');
    await t.app.get(OnboardingService).recordFact(u.id, 'mfa_enrolled', 'user:x');
    expect(await statusOf(u.id)).toBe('active');
  });

  it('a completed Checkout Session links the customer through client_reference_id and adopts an earlier subscription', async () => {
    const id = await userFactory.row(db, { status: 'pending_subscription' });
    const customer = `cus_${randomUUID().slice(0, 8)}`;
    const sub = `sub_${randomUUID().slice(0, 8)}`;
    expect((await send('customer.subscription.created', subscription(sub, customer, 'active'))).body.outcome).toBe('unmapped');
    const done = await send('checkout.session.completed', { id: 'cs_1', object: 'checkout.session', client_reference_id: id, customer, subscription: sub, customer_email: 'someone@example.com' });
    expect(done.body.outcome).toBe('applied');
    expect(await statusOf(id)).toBe('active');
  });
});
