// What the composition root uses of `webhooks`: the module and the reconciler the CLI runs once.
export { WebhooksModule } from './webhooks.module';
export { StripeReconciler } from './billing/stripe-reconciler';
