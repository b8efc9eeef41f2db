import { Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle, Throttle } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { CREDENTIALS_THROTTLER, SENSITIVE_ROUTE_THROTTLER } from '../../auth';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import type { Principal } from '../../common/principal';
import { type ProviderStatus, ProviderStatusService, type SelfTestResult } from './provider-status.service';
import { ProviderTestThrottlerGuard } from './provider-test-throttler.guard';

/** Self-tests per admin per minute: each one is some twenty calls to the provider. */
export const PROVIDER_TEST_PER_MINUTE = 5;

/** The identity provider as the operator sees it: settings present (never values), the directory, and a self-test. */
@ApiTags('admin')
@ApiErrorResponses()
@Controller('admin/provider')
export class AdminProviderController {
  constructor(private readonly provider: ProviderStatusService) {}

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'The active provider: settings present, MFA mode, password policy, app client, newest users, mirror size, fallback' })
  @ApiOkResponse({ schema: { type: 'object', properties: { provider: { type: 'object', additionalProperties: true }, settings: { type: 'array', items: { type: 'object' } }, directory: { type: 'object' }, client: { type: 'object' }, newestUsers: { type: 'object' }, mirroredUsers: { type: 'integer' } } } })
  @ApiErrors()
  status(): Promise<ProviderStatus> {
    return this.provider.status();
  }

  @Post('test')
  @HttpCode(200)
  @Roles('admin')
  @UseGuards(ProviderTestThrottlerGuard)
  @SkipThrottle({ [CREDENTIALS_THROTTLER]: true })
  @Throttle({ [SENSITIVE_ROUTE_THROTTLER]: { limit: PROVIDER_TEST_PER_MINUTE, ttl: 60_000 } })
  @ApiOperation({ summary: 'One row per check: credentials, pool and region, and each operation Gatehouse uses (a denied one names its IAM action); audited' })
  @ApiOkResponse({ schema: { type: 'object', properties: { provider: { type: 'string' }, ok: { type: 'boolean' }, checks: { type: 'array', items: { type: 'object', additionalProperties: true } } } } })
  @ApiErrors('RATE_LIMITED', 'RATE_LIMIT_UNAVAILABLE')
  test(@CurrentUser() admin: Principal, @Req() req: FastifyRequest): Promise<SelfTestResult> {
    return this.provider.selfTest(admin, String(req.id));
  }
}
