import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AllowStatus, CurrentUser } from '../../common/decorators/auth.decorators';
import type { Principal } from '../../common/principal';
import { BILLING_STATUSES } from '../../common/user-status';
import { BillingService, type BillingStatus } from './billing.service';

/**
 * The user's own billing: Checkout (from pending_subscription on), the customer portal, and their entitlement. A user
 * suspended by billing reaches these too (paying is how the suspension ends); any other block does not.
 */
@ApiErrorResponses()
@Controller('billing')
@AllowStatus(...BILLING_STATUSES)
export class BillingController {
  constructor(private readonly billing: BillingService) {}

  @Post('checkout')
  @HttpCode(200)
  async checkout(@CurrentUser() user: Principal): Promise<{ url: string }> {
    await this.billing.assertReachable(user.userId);
    return this.billing.checkout(user.userId, user.email);
  }

  @Post('portal')
  @HttpCode(200)
  async portal(@CurrentUser() user: Principal): Promise<{ url: string }> {
    await this.billing.assertReachable(user.userId);
    return this.billing.portal(user.userId);
  }

  @Get('status')
  async status(@CurrentUser() user: Principal): Promise<BillingStatus> {
    await this.billing.assertReachable(user.userId);
    return this.billing.status(user.userId);
  }
}
