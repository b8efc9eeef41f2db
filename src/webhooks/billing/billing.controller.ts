import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AllowStatus, CurrentUser } from '../../common/decorators/auth.decorators';
import type { Principal } from '../../common/principal';
import { BillingService, type BillingStatus } from './billing.service';

/** The user's own billing: Checkout (from pending_subscription on), the customer portal, and their entitlement. */
@ApiErrorResponses()
@Controller('billing')
@AllowStatus('pending_subscription')
export class BillingController {
  constructor(private readonly billing: BillingService) {}

  @Post('checkout')
  @HttpCode(200)
  checkout(@CurrentUser() user: Principal): Promise<{ url: string }> {
    return this.billing.checkout(user.userId, user.email);
  }

  @Post('portal')
  @HttpCode(200)
  portal(@CurrentUser() user: Principal): Promise<{ url: string }> {
    return this.billing.portal(user.userId);
  }

  @Get('status')
  status(@CurrentUser() user: Principal): Promise<BillingStatus> {
    return this.billing.status(user.userId);
  }
}
