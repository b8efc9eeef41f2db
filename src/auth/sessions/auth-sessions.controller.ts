import { Controller, Delete, Get, HttpCode, Param, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import { AllowStatus, CurrentUser } from '../../common/decorators/auth.decorators';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import type { Principal } from '../../common/principal';
import { NOT_DISABLED_STATUSES } from '../../common/user-status';
import { SessionIdParam, SessionListDto } from '../dto/sessions.dto';
import type { AuthenticatedRequest } from '../guards/auth.guard';
import { CredentialThrottlerGuard, NoSensitiveBudget } from '../throttling/credential-throttler.guard';
import { type SessionList, UserSessions } from './user-sessions.service';

/**
 * A user's own sessions (issue #15): the list, and the end of one. Only ever the caller's: the user id comes from the
 * token, never from the request, so another user's session id answers 404 like an unknown one. Open to every status
 * that may sign out (a pending user can end a session on a lost device too).
 */
@ApiTags('auth')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@UseGuards(CredentialThrottlerGuard)
@NoSensitiveBudget()
@AllowStatus(...NOT_DISABLED_STATUSES)
@Controller('auth/sessions')
export class AuthSessionsController {
  constructor(private readonly sessions: UserSessions) {}

  @Get()
  @ApiOperation({ summary: 'Your sessions: device, address, created, last used; `current` marks this token’s own' })
  @ApiOkResponse({ type: SessionListDto })
  @ApiErrors('NOT_SUPPORTED', 'PROVIDER_UNAVAILABLE')
  list(@CurrentUser() me: Principal): Promise<SessionList> {
    return this.sessions.list(me.userId, me.sessionId);
  }

  @Delete(':sid')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of your sessions: its refresh token fails at once, its access tokens on their next request' })
  @ApiNoContentResponse()
  @ApiErrors('SESSION_NOT_FOUND', 'NOT_SUPPORTED', 'PROVIDER_UNAVAILABLE')
  async revoke(@Param() p: SessionIdParam, @CurrentUser() me: Principal, @Req() req: AuthenticatedRequest): Promise<void> {
    await this.sessions.revoke(me.userId, p.sid, `user:${me.userId}`, req.id);
  }
}
