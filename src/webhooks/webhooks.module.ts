import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UsersModule } from '../users';
import { BillingEventsController } from './billing/billing-events.controller';
import { BillingController } from './billing/billing.controller';
import { BillingService } from './billing/billing.service';
import { BillingStore } from './billing/billing.store';
import { EntitlementService } from './billing/entitlement.service';
import { StripeEventsService } from './billing/stripe-events.service';
import { StripeReconciler } from './billing/stripe-reconciler';
import { SubscriptionSync } from './billing/subscription-sync';
import { StripeReceipt } from './receipt/stripe-receipt';
import { StripeWebhookController } from './receipt/stripe-webhook.controller';
import { createStripeApi, STRIPE_API } from './stripe-api';

/** Stripe: receipt, ledger, subscriptions and entitlement. Moves users only through UsersModule's exports. */
@Module({
  imports: [UsersModule],
  controllers: [StripeWebhookController, BillingController, BillingEventsController],
  providers: [
    { provide: STRIPE_API, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createStripeApi(config.stripe) },
    StripeReceipt,
    BillingStore,
    EntitlementService,
    SubscriptionSync,
    StripeEventsService,
    BillingService,
    StripeReconciler,
  ],
  exports: [STRIPE_API, StripeReconciler],
})
export class WebhooksModule {}
