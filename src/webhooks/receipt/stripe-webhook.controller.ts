import { Controller, Headers, HttpCode, OnApplicationBootstrap, Post, Req } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../common/decorators/public.decorator';
import { AppError, NotFoundError } from '../../common/errors/app-error';
import type { FastifyInstance } from 'fastify';
import { keepsRawBodies, type RawBodyRequest } from '../../common/http/fastify-body';
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
export class StripeWebhookController implements OnApplicationBootstrap {
  constructor(
    private readonly receipt: StripeReceipt,
    private readonly events: StripeEventsService,
    private readonly http: HttpAdapterHost,
  ) {}

  /**
   * A server that does not keep raw bodies could never verify a signature: every event would look forged. That is
   * our wiring's fault, so it stops start-up with one line instead of answering Stripe "bad signature" forever.
   */
  onApplicationBootstrap(): void {
    if (!this.receipt.enabled) return;
    const fastify = this.http.httpAdapter.getInstance<FastifyInstance>();
    if (!keepsRawBodies(fastify)) throw new Error('Configuration error: STRIPE_WEBHOOK_SECRET is set but this server does not keep raw request bodies (installBodyParser)');
  }

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
