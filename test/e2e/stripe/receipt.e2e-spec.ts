import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../../support/app';
import { deliver, sign, stripeEvent, WHSEC, WHSEC_OLD } from '../../support/stripe';

/** Receipt: authenticity over the raw bytes, and the answer contract (400 only for authenticity). */
describe('Stripe webhook receipt', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startTestApp({ STRIPE_WEBHOOK_SECRET: `${WHSEC},${WHSEC_OLD}` });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const ledgerOf = async (id: string) => (await db.query('SELECT outcome FROM auth.stripe_events WHERE event_id = $1', [id])) as Array<{ outcome: string }>;
  const unknownType = () => stripeEvent('product.created', { id: `prod_${randomUUID()}` });

  it('pretty-printed JSON signed as-is is accepted; the same event re-serialised is 400', async () => {
    const event = unknownType();
    const pretty = JSON.stringify(event, null, 2);
    const signature = sign(pretty);
    expect((await deliver(t.url, pretty, signature)).status).toBe(200);
    const other = unknownType();
    const res = await deliver(t.url, JSON.stringify(other), sign(JSON.stringify(other, null, 2)));
    expect(res.status).toBe(400);
    expect((res.body.error as { code: string }).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await ledgerOf(other.id as string)).toEqual([]);
  });

  it('no header, t=abc and only v0 are 400 with a code', async () => {
    const raw = JSON.stringify(unknownType());
    const good = sign(raw);
    const v1 = good.split(',').find((p) => p.startsWith('v1='))!.slice(3);
    expect(await deliver(t.url, raw, null)).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_SIGNATURE_MISSING' } } });
    expect(await deliver(t.url, raw, `t=abc,v1=${v1}`)).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_SIGNATURE_INVALID' } } });
    expect(await deliver(t.url, raw, good.replace('v1=', 'v0='))).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_SIGNATURE_INVALID' } } });
  });

  it('v1=<garbage>,v1=<valid> is enough', async () => {
    const raw = JSON.stringify(unknownType());
    const good = sign(raw);
    const [tPart, v1Part] = good.split(',');
    expect((await deliver(t.url, raw, `${tPart},v1=${'0'.repeat(64)},${v1Part}`)).status).toBe(200);
  });

  it('an event signed with the previous secret is accepted while both are configured, and 400 once it is removed', async () => {
    const raw = JSON.stringify(unknownType());
    expect((await deliver(t.url, raw, sign(raw, { secret: WHSEC_OLD }))).status).toBe(200);
    const rolled = await startTestApp({ STRIPE_WEBHOOK_SECRET: WHSEC });
    try {
      const again = JSON.stringify(unknownType());
      expect((await deliver(rolled.url, again, sign(again, { secret: WHSEC_OLD }))).status).toBe(400);
      expect((await deliver(rolled.url, again, sign(again))).status).toBe(200);
    } finally {
      await rolled.close();
    }
  });

  it('a signed time 301 s old or 301 s ahead is 400; 299 s either way is accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const offset of [-301, 301]) {
      const raw = JSON.stringify(unknownType());
      expect(await deliver(t.url, raw, sign(raw, { timestamp: now + offset }))).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE' } } });
    }
    for (const offset of [-299, 299]) {
      const raw = JSON.stringify(unknownType());
      expect((await deliver(t.url, raw, sign(raw, { timestamp: now + offset }))).status).toBe(200);
    }
  });

  it('an unknown type is 2xx and recorded as ignored; an other-mode event too', async () => {
    const event = unknownType();
    expect(await deliver(t.url, event)).toMatchObject({ status: 200, body: { outcome: 'ignored' } });
    expect(await ledgerOf(event.id as string)).toEqual([{ outcome: 'ignored' }]);
    const live = stripeEvent('customer.subscription.updated', { id: 'sub_live', object: 'subscription', customer: 'cus_live', status: 'active' }, { livemode: true });
    expect(await deliver(t.url, live)).toMatchObject({ status: 200, body: { outcome: 'ignored' } });
    expect(await db.query(`SELECT 1 FROM auth.subscriptions WHERE id = 'sub_live'`)).toEqual([]);
  });

  it('a large verified event (an invoice with many lines, past the API bodies\' shape limit) is 2xx, not BODY_TOO_COMPLEX', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => ({ id: `il_${i}`, object: 'line_item', amount: 100, currency: 'eur', metadata: { n: String(i) } }));
    const event = stripeEvent('invoice.finalized', { id: 'in_big', object: 'invoice', customer: 'cus_big', lines: { object: 'list', data: lines } });
    expect(await deliver(t.url, event)).toMatchObject({ status: 200, body: { outcome: 'ignored' } });
  });

  it('a body over the limit is 413 before any signature work', async () => {
    const huge = JSON.stringify({ ...unknownType(), pad: 'x'.repeat(200_000) });
    const res = await deliver(t.url, huge, 'whatever');
    expect(res.status).toBe(413);
  });

  it('without STRIPE_WEBHOOK_SECRET the endpoint is not offered, whatever the request says', async () => {
    const bare = await startTestApp();
    try {
      const raw = JSON.stringify(unknownType());
      expect((await deliver(bare.url, raw)).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
