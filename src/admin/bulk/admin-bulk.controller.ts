import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import type { Principal } from '../../common/principal';
import { BulkActionDto } from './admin-bulk.dto';
import { AdminBulkService, type BulkAnswer } from './admin-bulk.service';

/** POST /api/v1/admin/users/bulk: one action on up to 100 users, with a dry run and an Idempotency-Key. Admin only. */
@ApiTags('admin')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller('admin/users/bulk')
export class AdminBulkController {
  constructor(private readonly bulk: AdminBulkService) {}

  @Post()
  @HttpCode(200)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Required unless dryRun: the same key returns the stored answer and applies nothing again' })
  @ApiOperation({ summary: 'Approve, reject, suspend, reactivate, revoke sessions or require MFA for ≤ 100 users: applied | unchanged | refused (with the code) per id' })
  @ApiOkResponse({ schema: { type: 'object', properties: { results: { type: 'array', items: { type: 'object', additionalProperties: true } } }, additionalProperties: true } })
  @ApiErrors('IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED', 'INVALID_INPUT')
  async run(
    @Body() body: BulkActionDto,
    @CurrentUser() me: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
    @Headers('idempotency-key') key?: string,
  ): Promise<BulkAnswer> {
    const { answer, replayed } = await this.bulk.run(body, { userId: me.userId, requestId: req.id }, key);
    if (replayed) void res.header('idempotent-replayed', 'true');
    return answer;
  }
}
