import { Inject, Injectable } from '@nestjs/common';
import { AppError, ForbiddenError, NotFoundError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { STRIPE_API, type StripeApi, stripeUnavailable } from '../stripe-api';
import { BillingStore } from './billing.store';
import { UsersService } from '../../users';
import { billingReachable, userEntitled } from './entitlement';

export interface BillingStatus {
  entitled: boolean;
  subscriptions: Array<{ id: string; status: string; currentPeriodEnd: string | null; cancelAtPeriodEnd: boolean }>;
}

/** Checkout and the customer portal (Stripe hosts both), and what the user's subscriptions entitle them to. */
@Injectable()
export class BillingService {
  constructor(
    private readonly store: BillingStore,
    @Inject(STRIPE_API) private readonly api: StripeApi,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  /** 403 USER_SUSPENDED unless the only block is billing's own suspension (see billingReachable). */
  async assertReachable(userId: string): Promise<void> {
    const user = await this.users.findCachedById(userId);
    if (user && !billingReachable(user.status, user.blocks)) {
      throw new ForbiddenError('USER_SUSPENDED', 'This account cannot sign in', { status: user.status });
    }
  }

  /** A Checkout Session for the user: customer reused or created; the user's id rides in client_reference_id and metadata. */
  async checkout(userId: string, email: string | null): Promise<{ url: string }> {
    const api = this.required();
    const price = this.config.stripe.priceId;
    if (!price) throw new NotFoundError('BILLING_NOT_CONFIGURED', 'Billing is not configured');
    const customer = await this.customerFor(userId, email);
    const base = this.config.frontendUrl ?? this.config.publicUrl;
    try {
      const session = await api.checkout.sessions.create({
        mode: 'subscription',
        customer,
        client_reference_id: userId,
        line_items: [{ price, quantity: 1 }],
        subscription_data: { metadata: { userId } },
        success_url: `${base}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${base}/billing/cancelled`,
      });
      if (!session.url) throw new Error('no url');
      return { url: session.url };
    } catch (err) {
      throw stripeUnavailable(err, 'checkout.sessions.create');
    }
  }

  async portal(userId: string): Promise<{ url: string }> {
    const api = this.required();
    const customer = await this.store.customerOfUser(this.store.db, userId);
    if (!customer) throw new NotFoundError('BILLING_CUSTOMER_NOT_FOUND', 'No billing account yet: start with checkout');
    try {
      const session = await api.billingPortal.sessions.create({ customer, return_url: this.config.frontendUrl ?? this.config.publicUrl });
      return { url: session.url };
    } catch (err) {
      throw stripeUnavailable(err, 'billingPortal.sessions.create');
    }
  }

  async status(userId: string): Promise<BillingStatus> {
    const subs = await this.store.subscriptionsOf(this.store.db, userId);
    return {
      entitled: userEntitled(subs, new Date(), this.config.stripe.pastDueGraceDays),
      subscriptions: subs.map((s) => ({ id: s.id, status: s.status, currentPeriodEnd: s.currentPeriodEnd?.toISOString() ?? null, cancelAtPeriodEnd: s.cancelAtPeriodEnd })),
    };
  }

  private required(): NonNullable<StripeApi> {
    if (!this.api) throw new NotFoundError('BILLING_NOT_CONFIGURED', 'Billing is not configured');
    return this.api;
  }

  private async customerFor(userId: string, email: string | null): Promise<string> {
    const existing = await this.store.customerOfUser(this.store.db, userId);
    if (existing) return existing;
    let created: string;
    try {
      created = (await this.api!.customers.create({ ...(email ? { email } : {}), metadata: { userId } }, { idempotencyKey: `gatehouse-customer-${userId}` })).id;
    } catch (err) {
      throw stripeUnavailable(err, 'customers.create');
    }
    if (await this.store.link(this.store.db, userId, created)) return created;
    const raced = await this.store.customerOfUser(this.store.db, userId);
    if (!raced) throw new AppError('INTERNAL_ERROR', 500, 'Internal server error', `stripe customer ${created} is linked to another user`);
    return raced;
  }
}
