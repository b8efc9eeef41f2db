import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import type { Principal } from '../../common/principal';
import { UserIdParam } from '../users/admin-users.dto';
import { type DiagnosisAnswer, type ReconcileAnswer, DiagnosisService } from './diagnosis.service';

/** "Why can't this user sign in?" (issue #15): the diagnosis for admins and auditors, reconcile for admins. */
@ApiTags('admin')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller('admin')
export class DiagnosisController {
  constructor(private readonly diagnoses: DiagnosisService) {}

  @Get('users/:id/diagnosis')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: "Why can't this user sign in: Gatehouse's view beside the provider's, blockers and drift, each with its fix" })
  @ApiOkResponse({ schema: { type: 'object', properties: {}, additionalProperties: true } })
  @ApiErrors('USER_NOT_FOUND')
  diagnosis(@Param() p: UserIdParam): Promise<DiagnosisAnswer> {
    return this.diagnoses.diagnosis(p.id);
  }

  @Post('users/:id/reconcile')
  @HttpCode(200)
  @ApiOperation({ summary: "Apply the provider's truth where that is safe (each step audited); the rest is listed as manual" })
  @ApiOkResponse({ schema: { type: 'object', properties: {}, additionalProperties: true } })
  @ApiErrors('USER_NOT_FOUND', 'SELF_ACTION_FORBIDDEN', 'NOT_SUPPORTED', 'PROVIDER_ACCESS_DENIED', 'PROVIDER_UNAVAILABLE')
  reconcile(@Param() p: UserIdParam, @CurrentUser() me: Principal, @Req() req: FastifyRequest): Promise<ReconcileAnswer> {
    return this.diagnoses.reconcile(p.id, { userId: me.userId, requestId: req.id });
  }
}
