import Stripe from 'stripe';
import { AppError } from '../common/errors/app-error';
import type { StripeConfig } from '../config/stripe-config';

/** The Stripe API client, or null without STRIPE_SECRET_KEY (then webhooks apply payloads, and checkout is off). */
export const STRIPE_API = Symbol('STRIPE_API');
export type StripeApi = Stripe | null;

/** Built once from config; STRIPE_API_URL (development and tests) points it at a local stub. */
export function createStripeApi(config: StripeConfig): StripeApi {
  if (!config.secretKey) return null;
  const base = config.apiUrl ? new URL(config.apiUrl) : undefined;
  return new Stripe(config.secretKey, {
    // Retries are Stripe's job (it redelivers a 5xx); a webhook answer must not wait through ours.
    maxNetworkRetries: 0,
    timeout: config.apiTimeoutMs,
    ...(base ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol === 'https:' ? 'https' : 'http' } : {}),
  });
}

/** Signature checks need no key: the package's verifier, without a client. */
export const stripeWebhooks = Stripe.webhooks;

/** A Stripe API call that failed for a reason other than "no such object": transient for the caller, 503. */
export function stripeUnavailable(err: unknown, what: string): AppError {
  const e = err as { type?: string; statusCode?: number; message?: string };
  return new AppError('STRIPE_UNAVAILABLE', 503, 'Billing provider is unavailable', `stripe ${what}: ${e.type ?? 'error'} ${e.statusCode ?? ''} ${String(e.message ?? '').slice(0, 200)}`);
}

/** Whether a Stripe API error says the object does not exist (404 resource_missing). */
export function isMissing(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}
