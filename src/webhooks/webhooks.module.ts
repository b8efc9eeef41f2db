import { Module } from '@nestjs/common';

/** Stripe webhooks (signature, idempotency, activation) land here; see the Stripe issue. */
@Module({})
export class WebhooksModule {}
