import type { Env, EnvReader } from './env-reader';

/** Stripe billing (STRIPE_*). Absent webhook secrets: the webhook endpoint answers 404 (not offered). */
export interface StripeConfig {
  /** STRIPE_WEBHOOK_SECRET, comma-separated: every listed secret verifies, so a rolled secret keeps working in the overlap. */
  webhookSecrets: string[];
  /** STRIPE_SECRET_KEY: enables the order-proof re-fetch, checkout, portal and the reconciler. */
  secretKey?: string;
  /** STRIPE_PRICE_ID: the price Checkout sells. */
  priceId?: string;
  /** STRIPE_PAST_DUE_GRACE_DAYS: how long a past_due subscription still entitles. */
  pastDueGraceDays: number;
  /** Which mode's events apply: the key's mode (sk_live_/rk_live_), else STRIPE_LIVEMODE (default: production). */
  livemode: boolean;
  /** STRIPE_API_URL: another API base (a local stub); refused in production. */
  apiUrl?: string;
  /** STRIPE_API_TIMEOUT_MS: a Stripe call taking longer fails (a webhook then answers 503 with nothing applied). */
  apiTimeoutMs: number;
}

const SECRET = /^whsec_[A-Za-z0-9+/=_-]+$/;

/**
 * Reads STRIPE_*. Secrets are checked on the untrimmed value: a pasted newline or space would otherwise make every
 * signature fail at run time ("bad signature") instead of stopping start-up with one line.
 */
export function readStripe(r: EnvReader, env: Env, isProduction: boolean): StripeConfig {
  const rawSecrets = env.STRIPE_WEBHOOK_SECRET;
  const webhookSecrets: string[] = [];
  if (rawSecrets !== undefined && rawSecrets !== '') {
    const entries = rawSecrets.split(',');
    if (entries.some((s) => /\s/.test(s))) r.fail('STRIPE_WEBHOOK_SECRET', 'must not contain whitespace (a pasted newline or space breaks every signature)');
    else if (!entries.every((s) => SECRET.test(s))) r.fail('STRIPE_WEBHOOK_SECRET', 'must be whsec_… secrets separated by commas');
    else webhookSecrets.push(...entries);
  }
  const secretKey = r.raw('STRIPE_SECRET_KEY');
  if (secretKey !== undefined && !/^(sk|rk)_(test|live)_\S+$/.test(secretKey)) r.fail('STRIPE_SECRET_KEY', 'must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_…)');
  const apiUrl = r.url('STRIPE_API_URL')?.replace(/\/+$/, '');
  if (apiUrl && isProduction) r.fail('STRIPE_API_URL', 'must not be set when NODE_ENV=production (it points the Stripe client somewhere other than Stripe)');
  const keyMode = secretKey ? /^(sk|rk)_live_/.test(secretKey) : undefined;
  return {
    webhookSecrets,
    secretKey,
    priceId: r.raw('STRIPE_PRICE_ID'),
    pastDueGraceDays: r.int('STRIPE_PAST_DUE_GRACE_DAYS', 7, 0, 90),
    livemode: keyMode ?? r.bool('STRIPE_LIVEMODE', isProduction),
    apiUrl,
    apiTimeoutMs: r.int('STRIPE_API_TIMEOUT_MS', 10_000, 100, 60_000),
  };
}
