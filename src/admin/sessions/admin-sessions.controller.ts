import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import type { FastifyRequest } from 'fastify';
import { type SessionList, UserSessions } from '../../auth';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import type { Principal } from '../../common/principal';
import { UserIdParam } from '../users/admin-users.dto';
import { UserSessionParams } from './admin-sessions.dto';

/**
 * An administrator's view of one user's sessions (issue #15): the list (auditor may read), the end of one, the end of
 * all. Thin: UserSessions does the work, for the local provider on its refresh families, for Cognito with
 * AdminUserGlobalSignOut plus the revocation watermark (Cognito lists no sessions: the answer says so).
 */
@ApiTags('admin')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@Roles('admin')
@Controller('admin/users/:id/sessions')
export class AdminSessionsController {
  constructor(private readonly sessions: UserSessions) {}

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: "The user's sessions: device, address, created, last used, `current` on one's own (Cognito: `listed: false` and why)" })
  @ApiOkResponse({ schema: { type: 'object', properties: { listed: { type: 'boolean' }, sessions: { type: 'array', items: { type: 'object', additionalProperties: true } } }, additionalProperties: true } })
  @ApiErrors('USER_NOT_FOUND', 'NOT_SUPPORTED', 'PROVIDER_UNAVAILABLE')
  list(@Param() p: UserIdParam, @CurrentUser() me: Principal): Promise<SessionList> {
    // An administrator looking at their own sessions sees which one is this request's (the console's cookie session).
    return this.sessions.list(p.id, me.userId === p.id ? me.sessionId : undefined);
  }

  @Delete(':sid')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one session: its refresh token fails at once, its access tokens on their next request' })
  @ApiNoContentResponse()
  @ApiErrors('USER_NOT_FOUND', 'SESSION_NOT_FOUND', 'NOT_SUPPORTED', 'PROVIDER_UNAVAILABLE')
  async revoke(@Param() p: UserSessionParams, @CurrentUser() me: Principal, @Req() req: FastifyRequest): Promise<void> {
    await this.sessions.revoke(p.id, p.sid, `admin:${me.userId}`, req.id);
  }

  @Post('revoke-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'End every session: the provider’s (Cognito: AdminUserGlobalSignOut) and every token issued so far' })
  @ApiOkResponse({ schema: { type: 'object', properties: { revoked: { type: 'boolean', enum: [true] } }, additionalProperties: true } })
  @ApiErrors('USER_NOT_FOUND', 'SELF_ACTION_FORBIDDEN', 'NOT_SUPPORTED', 'PROVIDER_ACCESS_DENIED', 'PROVIDER_UNAVAILABLE')
  async revokeAll(@Param() p: UserIdParam, @CurrentUser() me: Principal, @Req() req: FastifyRequest): Promise<{ revoked: true }> {
    await this.sessions.revokeAll(p.id, { userId: me.userId, requestId: req.id });
    return { revoked: true };
  }
}
