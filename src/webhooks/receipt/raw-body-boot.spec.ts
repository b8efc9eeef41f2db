import type { HttpAdapterHost } from '@nestjs/core';
import Fastify from 'fastify';
import { installBodyParser } from '../../common/http/fastify-body';
import type { StripeEventsService } from '../billing/stripe-events.service';
import type { StripeReceipt } from './stripe-receipt';
import { StripeWebhookController } from './stripe-webhook.controller';

/** A missing raw body is our wiring's fault: start-up stops, rather than every event failing its signature check. */
describe('Stripe receipt at start-up', () => {
  const host = (fastify: ReturnType<typeof Fastify>) => ({ httpAdapter: { getInstance: () => fastify } }) as unknown as HttpAdapterHost;
  const controller = (enabled: boolean, fastify: ReturnType<typeof Fastify>) =>
    new StripeWebhookController({ enabled } as StripeReceipt, {} as StripeEventsService, host(fastify));

  it('refuses to start when webhooks are configured and the server keeps no raw bodies', () => {
    expect(() => controller(true, Fastify()).onApplicationBootstrap()).toThrow(/does not keep raw request bodies/);
  });

  it('starts when the body parser keeps raw bodies, or when webhooks are off', () => {
    const kept = Fastify();
    installBodyParser(kept, 1024);
    expect(() => controller(true, kept).onApplicationBootstrap()).not.toThrow();
    expect(() => controller(false, Fastify()).onApplicationBootstrap()).not.toThrow();
  });
});
