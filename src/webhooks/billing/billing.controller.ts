import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AllowStatus, CurrentUser } from '../../common/decorators/auth.decorators';
import type { Principal } from '../../common/principal';
import { BILLING_STATUSES } from '../../common/user-status';
import { BillingService, type BillingStatus } from './billing.service';

const URL_ANSWER = { schema: { type: 'object', properties: { url: { type: 'string', format: 'uri' } }, required: ['url'] } };

/**
 * The user's own billing: Checkout (from pending_subscription on), the customer portal, and their entitlement. A user
 * suspended by billing reaches these too (paying is how the suspension ends); any other block does not.
 */
@ApiTags('billing')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@Controller('billing')
@AllowStatus(...BILLING_STATUSES)
export class BillingController {
  constructor(private readonly billing: BillingService) {}

  @Post('checkout')
  @HttpCode(200)
  @ApiOperation({ summary: 'A Stripe Checkout session for the subscription: its URL' })
  @ApiOkResponse(URL_ANSWER)
  @ApiErrors('USER_SUSPENDED', 'BILLING_NOT_CONFIGURED', 'STRIPE_UNAVAILABLE')
  async checkout(@CurrentUser() user: Principal): Promise<{ url: string }> {
    await this.billing.assertReachable(user.userId);
    return this.billing.checkout(user.userId, user.email);
  }

  @Post('portal')
  @HttpCode(200)
  @ApiOperation({ summary: "Stripe's customer portal for the caller: its URL" })
  @ApiOkResponse(URL_ANSWER)
  @ApiErrors('USER_SUSPENDED', 'BILLING_NOT_CONFIGURED', 'BILLING_CUSTOMER_NOT_FOUND', 'STRIPE_UNAVAILABLE')
  async portal(@CurrentUser() user: Principal): Promise<{ url: string }> {
    await this.billing.assertReachable(user.userId);
    return this.billing.portal(user.userId);
  }

  @Get('status')
  @ApiOperation({ summary: "The caller's entitlement and subscriptions" })
  @ApiOkResponse({ schema: { type: 'object', properties: { entitled: { type: 'boolean' }, subscriptions: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, currentPeriodEnd: { type: 'string', nullable: true }, cancelAtPeriodEnd: { type: 'boolean' } } } } } } })
  @ApiErrors('USER_SUSPENDED')
  async status(@CurrentUser() user: Principal): Promise<BillingStatus> {
    await this.billing.assertReachable(user.userId);
    return this.billing.status(user.userId);
  }
}
