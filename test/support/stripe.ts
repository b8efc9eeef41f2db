import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';

/** Secrets the Stripe tests sign with (real HMACs via the stripe package's generateTestHeaderString). */
export const WHSEC = 'whsec_test_current_secret';
export const WHSEC_OLD = 'whsec_test_previous_secret';

export function sign(payload: string, opts: { secret?: string; timestamp?: number } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WHSEC, timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000) });
}

let seq = 0;
/** A Stripe event envelope (test mode unless said otherwise), `created` strictly increasing across calls. */
export function stripeEvent(type: string, object: Record<string, unknown>, opts: { livemode?: boolean; created?: number; id?: string } = {}): Record<string, unknown> {
  seq += 1;
  return { id: opts.id ?? `evt_${randomUUID().replace(/-/g, '')}`, object: 'event', api_version: '2025-03-31.basil', type, livemode: opts.livemode ?? false, created: opts.created ?? 1_900_000_000 + seq, data: { object } };
}

export function subscription(id: string, customer: string | null, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, object: 'subscription', customer, status, cancel_at_period_end: false, metadata: {}, items: { object: 'list', data: [{ id: `si_${id}`, current_period_end: 1_950_000_000 }] }, ...extra };
}

/** Posts `body` (a string, signed as-is unless `signature` is given) to the webhook; answers status and body. */
export async function deliver(baseUrl: string, body: string | Record<string, unknown>, signature?: string | null): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? sign(raw) : signature;
  if (sig !== null) headers['stripe-signature'] = sig;
  const res = await fetch(`${baseUrl}/api/v1/webhooks/stripe`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Mode = 'ok' | 'fail' | 'hang';

/**
 * A stub of the Stripe API on loopback (the real client is pointed at it through STRIPE_API_URL → host/port/protocol).
 * Subscriptions are scripted; customers, Checkout and portal sessions are created; `events` is what events.list answers.
 */
export class StripeStub {
  readonly subscriptions = new Map<string, Record<string, unknown>>();
  readonly events: Array<Record<string, unknown>> = [];
  readonly requests: Array<{ method: string; path: string; body: string }> = [];
  mode: Mode = 'ok';
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const path = (req.url ?? '').split('?')[0]!;
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', body });
    if (this.mode === 'hang') return;
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_stub' });
      res.end(JSON.stringify(value));
    };
    if (this.mode === 'fail') return send(500, { error: { type: 'api_error', message: 'stub outage' } });
    const form = new URLSearchParams(body);
    const sub = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (sub && req.method === 'GET') {
      const found = this.subscriptions.get(decodeURIComponent(sub[1]!));
      return found ? send(200, found) : send(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such subscription' } });
    }
    if (path === '/v1/customers' && req.method === 'POST') return send(200, { id: `cus_${randomUUID().slice(0, 8)}`, object: 'customer', email: form.get('email') });
    if (path === '/v1/checkout/sessions' && req.method === 'POST') {
      const ref = form.get('client_reference_id');
      return send(200, { id: 'cs_test_1', object: 'checkout.session', url: `https://checkout.stripe.test/c/pay/cs_test_1?ref=${ref}`, customer: form.get('customer'), client_reference_id: ref });
    }
    if (path === '/v1/billing_portal/sessions' && req.method === 'POST') return send(200, { id: 'bps_1', object: 'billing_portal.session', url: `https://billing.stripe.test/p/session/${form.get('customer')}` });
    if (path === '/v1/events' && req.method === 'GET') return send(200, { object: 'list', data: this.events, has_more: false, url: '/v1/events' });
    send(404, { error: { type: 'invalid_request_error', message: `stub has no ${req.method} ${path}` } });
  }
}
