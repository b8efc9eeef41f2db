import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { deliver, stripeEvent, StripeStub, subscription, WHSEC } from '../../support/stripe';
import { announced, userFactory } from '../../support/user-factory';

const BRIDGE_SECRET = 'bridge-secret-for-billing-tests-0123456789';

/** Checkout, portal and status for the user; the ledger for administrators. Stripe's API is a loopback stub. */
describe('billing API', () => {
  let t: TestApp;
  let db: DataSource;
  let http: JsonClient;
  const stub = new StripeStub();
  beforeAll(async () => {
    await stub.start();
    t = await startTestApp({
      STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_SECRET_KEY: 'sk_test_stub', STRIPE_PRICE_ID: 'price_123', STRIPE_API_URL: stub.url,
      JWT_SECRET_KEY: BRIDGE_SECRET, JWT_SECRET_ISSUER: 'urn:test:bridge',
    });
    db = t.app.get(DataSource);
    http = new JsonClient(t.url);
  });
  afterAll(async () => {
    await t.close();
    await stub.close();
  });

  const userToken = async (status: 'pending_subscription' | 'pending_mfa' | 'active', role = 'user') => {
    const sub = randomUUID();
    const id = await userFactory.row(db, { issuer: 'urn:test:bridge', subject: sub, status, provider: 'bridge' });
    const now = Math.floor(Date.now() / 1000);
    return { id, token: jwt.sign({ iss: 'urn:test:bridge', sub, iat: now, exp: now + 3600, email: `${sub}@front.example`, 'cognito:groups': role === 'user' ? [] : [role], groups: role === 'user' ? [] : [role] }, BRIDGE_SECRET, { algorithm: 'HS256' }) };
  };

  it('checkout returns a Checkout URL for the user, with their id as client_reference_id and in subscription metadata', async () => {
    const u = await userToken('pending_subscription');
    const res = await http.post<{ url: string }>('/api/v1/billing/checkout', {}, u.token);
    expect(res.status).toBe(200);
    expect(res.body.url).toContain(u.id);
    const sent = new URLSearchParams(stub.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!.body);
    expect(sent.get('client_reference_id')).toBe(u.id);
    expect(sent.get('subscription_data[metadata][userId]')).toBe(u.id);
    // The customer is created once and reused.
    const customers = () => stub.requests.filter((r) => r.path === '/v1/customers').length;
    const before = customers();
    await http.post('/api/v1/billing/checkout', {}, u.token);
    expect(customers()).toBe(before);
  });

  it('a user before pending_subscription cannot check out', async () => {
    const u = await userToken('pending_mfa');
    expect((await http.post('/api/v1/billing/checkout', {}, u.token)).status).toBe(403);
  });

  it('a billing suspension leaves the way to pay open; an administrator suspension does not', async () => {
    // Written with SQL, so wait for its change notice: the app's user cache learns of it from there.
    const suspend = (id: string, by: 'billing' | 'admin') =>
      announced(t.app.get(EventEmitter2), async () => {
        await db.query(`UPDATE auth.users SET status = 'suspended', blocks = $2::jsonb WHERE id = $1`, [
          id,
          JSON.stringify({ suspended: { kind: 'suspended', by, reason: 'test', until: null, at: new Date().toISOString() } }),
        ]);
        return id;
      });
    const billing = await userToken('active');
    await suspend(billing.id, 'billing');
    expect((await http.get('/api/v1/billing/status', billing.token)).status).toBe(200);
    expect((await http.post('/api/v1/billing/checkout', {}, billing.token)).status).toBe(200);
    // Routes that do not allow a suspended user stay closed (enrolling a factor, here).
    expect((await http.post('/api/v1/auth/mfa/enroll', {}, billing.token)).body).toMatchObject({ error: { code: 'USER_SUSPENDED' } });

    const admin = await userToken('active');
    await suspend(admin.id, 'admin');
    expect((await http.get('/api/v1/billing/status', admin.token)).body).toMatchObject({ error: { code: 'USER_SUSPENDED' } });
    expect((await http.post('/api/v1/billing/checkout', {}, admin.token)).body).toMatchObject({ error: { code: 'USER_SUSPENDED' } });
  });

  it('checkout, then the signed webhooks, take the user to active; status and portal follow', async () => {
    const u = await userToken('pending_subscription');
    await http.post('/api/v1/billing/checkout', {}, u.token);
    const customer = ((await db.query('SELECT customer_id FROM auth.billing_customers WHERE user_id = $1', [u.id])) as Array<{ customer_id: string }>)[0]!.customer_id;
    const sub = `sub_${randomUUID().slice(0, 8)}`;
    stub.subscriptions.set(sub, subscription(sub, customer, 'active', { metadata: { userId: u.id } }));
    expect((await http.get('/api/v1/billing/status', u.token)).body).toEqual({ entitled: false, subscriptions: [] });
    await deliver(t.url, stripeEvent('checkout.session.completed', { id: 'cs_x', object: 'checkout.session', client_reference_id: u.id, customer, subscription: sub }));
    expect(((await db.query('SELECT status FROM auth.users WHERE id = $1', [u.id])) as Array<{ status: string }>)[0]!.status).toBe('active');
    expect((await http.get('/api/v1/billing/status', u.token)).body).toMatchObject({ entitled: true, subscriptions: [{ id: sub, status: 'active' }] });
    expect((await http.post<{ url: string }>('/api/v1/billing/portal', {}, u.token)).body.url).toContain(customer);
  });

  it('the ledger is for administrators and auditors, filtered by outcome; a bad filter or cursor is 400', async () => {
    await deliver(t.url, stripeEvent('product.created', { id: 'prod_1' }));
    const plain = await userToken('active');
    expect((await http.get('/api/v1/admin/billing/events', plain.token)).status).toBe(403);
    const auditor = await userToken('active', 'auditor');
    const res = await http.get<{ items: Array<{ outcome: string }>; nextCursor: string | null }>('/api/v1/admin/billing/events?outcome=ignored', auditor.token);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((i) => i.outcome === 'ignored')).toBe(true);
    expect((await http.get('/api/v1/admin/billing/events?outcome=bogus', auditor.token)).status).toBe(400);
    expect((await http.get('/api/v1/admin/billing/events?cursor=abc', auditor.token)).status).toBe(400);
  });
});
