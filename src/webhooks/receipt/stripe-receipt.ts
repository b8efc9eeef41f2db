import { Inject, Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { stripeWebhooks } from '../stripe-api';
import { type HeaderProblem, parseSignatureHeader, timestampProblem, TOLERANCE_S } from './signature-header';

const CODES: Record<HeaderProblem | 'mismatch', AppError['code']> = {
  missing: 'WEBHOOK_SIGNATURE_MISSING',
  malformed: 'WEBHOOK_SIGNATURE_INVALID',
  no_v1: 'WEBHOOK_SIGNATURE_INVALID',
  mismatch: 'WEBHOOK_SIGNATURE_INVALID',
  stale: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
  future: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
};

const refuse = (problem: HeaderProblem | 'mismatch'): AppError => new AppError(CODES[problem], 400, 'Webhook signature verification failed', `stripe signature: ${problem}`);

/**
 * Authenticity of a Stripe delivery, over the exact bytes received (never a re-serialised body). The secrets come
 * from config alone: nothing in the request can choose one or skip the check. Any configured secret and any `v1`
 * signature may match (rolled secrets overlap; Stripe sends several `v1` during a roll).
 */
@Injectable()
export class StripeReceipt {
  private readonly secrets: readonly string[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secrets = config.stripe.webhookSecrets;
  }

  get enabled(): boolean {
    return this.secrets.length > 0;
  }

  /** The verified event, or a 400 naming the authenticity problem. `nowMs` is the receipt time. */
  verify(raw: Buffer, header: string | string[] | undefined, nowMs = Date.now()): Stripe.Event {
    const parsed = parseSignatureHeader(header);
    if ('problem' in parsed) throw refuse(parsed.problem);
    const late = timestampProblem(parsed.timestamp, Math.floor(nowMs / 1000));
    if (late) throw refuse(late);
    const matched = this.secrets.some((secret) => {
      try {
        // The package's own constant-time check; its (past-only) tolerance is kept as a second guard.
        return stripeWebhooks.signature!.verifyHeader(raw, header as string, secret, TOLERANCE_S, undefined, nowMs);
      } catch {
        return false;
      }
    });
    if (!matched) throw refuse('mismatch');
    return JSON.parse(raw.toString('utf8')) as Stripe.Event;
  }
}
