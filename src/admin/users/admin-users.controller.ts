import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminActor } from '../../auth';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import { ACTION_SCHEMA, ADMIN_USER_SCHEMA, ADMIN_WRITE_ERRORS, APPROVALS_SCHEMA, USER_LIST_SCHEMA } from './admin-users.openapi';
import type { Principal } from '../../common/principal';
import { ApprovalsQuery, CreateUserDto, ListUsersQuery, ReasonDto, SetPasswordDto, SetRoleDto, SuspendDto, UpdateUserDto, UserIdParam } from './admin-users.dto';
import { type ActionAnswer, AdminUsersService, type ApprovalsPage, type Tagged, type UserListPage } from './admin-users.service';

const actorOf = (principal: Principal, req: FastifyRequest): AdminActor => ({ userId: principal.userId, requestId: req.id });

/** Sends the body with its ETag header (the answer's `If-Match` token). */
function tagged<T>(res: FastifyReply, answer: Tagged<T>): T {
  void res.header('etag', answer.etag);
  return answer.body;
}

/**
 * Administrators' user management under /api/v1/admin. Every route needs the `admin` role; `auditor` may read (every
 * GET). Thin: each route validates its DTO and makes one service call. Writes take an optional `If-Match`.
 */
@ApiTags('admin')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@ApiHeader({ name: 'If-Match', required: false, description: 'On writes: the ETag of GET /admin/users/:id; a stale one is 412' })
@Roles('admin')
@Controller('admin')
export class AdminUsersController {
  constructor(private readonly admin: AdminUsersService) {}

  @Get('users')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Search users: filters combine; keyset paging; total honours the filters' })
  @ApiOkResponse({ schema: USER_LIST_SCHEMA })
  @ApiErrors('INVALID_INPUT')
  list(@Query() query: ListUsersQuery): Promise<UserListPage> {
    return this.admin.list(query);
  }

  @Get('users/:id')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: "One user: profile, ladder, blocks, MFA, the provider's view; ETag header" })
  @ApiOkResponse({ schema: ADMIN_USER_SCHEMA })
  @ApiErrors('USER_NOT_FOUND')
  async get(@Param() p: UserIdParam, @Res({ passthrough: true }) res: FastifyReply) {
    return tagged(res, await this.admin.detail(p.id));
  }

  @Get('approvals')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'The pending_approval queue, longest-waiting first' })
  @ApiOkResponse({ schema: APPROVALS_SCHEMA })
  @ApiErrors('INVALID_INPUT')
  approvals(@Query() query: ApprovalsQuery): Promise<ApprovalsPage> {
    return this.admin.approvals(query);
  }

  @Post('users')
  @ApiOperation({ summary: 'Create a user: an invitation mail with a temporary password, or the temporary password given' })
  @ApiCreatedResponse({ schema: ADMIN_USER_SCHEMA })
  @ApiErrors('INVALID_INPUT', 'PASSWORD_POLICY', 'EMAIL_IN_USE', 'RATE_LIMITED', 'NOT_SUPPORTED', 'PROVIDER_ACCESS_DENIED', 'PROVIDER_UNAVAILABLE', 'MAIL_UNAVAILABLE')
  async create(@Body() body: CreateUserDto, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return tagged(res, await this.admin.create(body, actorOf(me, req)));
  }

  @Post('users/:id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a user waiting for approval' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS)
  async approve(@Param() p: UserIdParam, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.approve(p.id, actorOf(me, req), ifMatch));
  }

  @Post('users/:id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a user waiting for approval (blocks the account)' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS)
  async reject(@Param() p: UserIdParam, @Body() body: ReasonDto, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.reject(p.id, body.reason, actorOf(me, req), ifMatch));
  }

  @Post('users/:id/suspend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspend a user, optionally until a time; their sessions end' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS, 'INVALID_INPUT')
  async suspend(@Param() p: UserIdParam, @Body() body: SuspendDto, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.suspend(p.id, { reason: body.reason, ...(body.until ? { until: body.until } : {}) }, actorOf(me, req), ifMatch));
  }

  @Post('users/:id/reactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift a suspension' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS)
  async reactivate(@Param() p: UserIdParam, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.reactivate(p.id, actorOf(me, req), ifMatch));
  }

  @Post('users/:id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable a user; their sessions end' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS)
  async disable(@Param() p: UserIdParam, @Body() body: ReasonDto, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.disable(p.id, body.reason, actorOf(me, req), ifMatch));
  }

  @Post('users/:id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a disabled user' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS)
  async enable(@Param() p: UserIdParam, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.enable(p.id, actorOf(me, req), ifMatch));
  }

  @Post('users/:id/require-mfa')
  @HttpCode(200)
  @ApiOperation({ summary: 'Require a second factor of this user' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS)
  async requireMfa(@Param() p: UserIdParam, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.requireMfa(p.id, actorOf(me, req), ifMatch));
  }

  @Post('users/:id/reset-password')
  @HttpCode(200)
  @ApiOperation({ summary: "Reset the password: a mailed code (local) or the provider's reset" })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS, 'MAIL_UNAVAILABLE')
  async resetPassword(@Param() p: UserIdParam, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.resetPassword(p.id, actorOf(me, req), ifMatch));
  }

  @Post('users/:id/set-password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a password, temporary unless `permanent`' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS, 'PASSWORD_POLICY')
  async setPassword(@Param() p: UserIdParam, @Body() body: SetPasswordDto, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.setPassword(p.id, body.password, body.permanent, actorOf(me, req), ifMatch));
  }

  @Put('users/:id/role')
  @ApiOperation({ summary: 'Change the role (the provider group too, where ROLE_GROUP_MAP maps it)' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS, 'INVALID_INPUT')
  async setRole(@Param() p: UserIdParam, @Body() body: SetRoleDto, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.setRole(p.id, body.role, actorOf(me, req), ifMatch));
  }

  @Patch('users/:id')
  @ApiOperation({ summary: 'Change the name, address or provider attributes' })
  @ApiOkResponse({ schema: ACTION_SCHEMA })
  @ApiErrors(...ADMIN_WRITE_ERRORS, 'INVALID_INPUT', 'EMAIL_IN_USE')
  async update(@Param() p: UserIdParam, @Body() body: UpdateUserDto, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply, @Headers('if-match') ifMatch?: string) {
    return this.send(res, this.admin.update(p.id, body, actorOf(me, req), ifMatch));
  }

  @Delete('users/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user (at the provider too); audited with the reason' })
  @ApiNoContentResponse()
  @ApiErrors(...ADMIN_WRITE_ERRORS)
  async remove(@Param() p: UserIdParam, @Body() body: ReasonDto, @CurrentUser() me: Principal, @Req() req: FastifyRequest, @Headers('if-match') ifMatch?: string): Promise<void> {
    await this.admin.delete(p.id, body.reason, actorOf(me, req), ifMatch);
  }

  private async send<T extends object>(res: FastifyReply, answer: Promise<ActionAnswer<T>>) {
    return tagged(res, await answer);
  }
}
