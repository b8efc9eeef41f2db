import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../common/decorators/public.decorator';
import { AppError, NotFoundError } from '../../common/errors/app-error';
import type { RawBodyRequest } from '../../common/http/fastify-body';
import { StripeEventsService } from '../billing/stripe-events.service';
import { StripeReceipt } from './stripe-receipt';

/**
 * Stripe's way in. Public to the JWT guard; authenticated by the signature over the raw bytes. The answer contract:
 * 400 only for authenticity, 200 for every verified event (unknown types, unmapped customers, stale, duplicate,
 * other-mode ones included: an error would make Stripe retry and finally disable the endpoint), 5xx only when
 * nothing was applied (database or Stripe API down), so Stripe's retry is safe.
 */
@ApiExcludeController()
@Controller('webhooks')
export class StripeWebhookController {
  constructor(
    private readonly receipt: StripeReceipt,
    private readonly events: StripeEventsService,
  ) {}

  @Public()
  @Post('stripe')
  @HttpCode(200)
  async receive(@Req() req: RawBodyRequest, @Headers('stripe-signature') signature: string | undefined): Promise<{ received: true; outcome: string }> {
    if (!this.receipt.enabled) throw new NotFoundError();
    // No raw bytes is our wiring's fault, never the sender's "bad signature".
    if (!Buffer.isBuffer(req.rawBody)) throw new AppError('INTERNAL_ERROR', 500, 'Internal server error', 'stripe webhook: request has no raw body (body parser misconfigured)');
    const event = this.receipt.verify(req.rawBody, signature);
    const { outcome } = await this.events.handle(event);
    return { received: true, outcome };
  }
}
