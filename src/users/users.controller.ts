import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowStatus } from '../common/decorators/auth.decorators';
import { AuthenticationError, NotFoundError } from '../common/errors/app-error';
import { ApiErrorResponses } from '../common/errors/error-response.dto';
import { ApiErrors } from '../common/openapi/api-contract.decorators';
import type { Principal } from '../common/principal';
import { currentPrincipal } from '../common/request-context';
import { NOT_DISABLED_STATUSES } from '../common/user-status';
import { UserProfileDto } from './user-profile.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Any authenticated user who is not disabled may see where they stand. */
  @Get('me')
  @AllowStatus(...NOT_DISABLED_STATUSES)
  @ApiOperation({ summary: "The caller's profile and onboarding status" })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiErrors('USER_NOT_FOUND')
  me(): UserProfileDto | Promise<UserProfileDto> {
    // No parameter decorator (see currentPrincipal): this route is the hot path.
    const principal = currentPrincipal();
    // The route is not optional, so the guard has attached a principal; fail closed if that ever changes.
    if (!principal) throw new AuthenticationError('AUTH_TOKEN_MISSING');
    // The guard has just read this row from the cache, so it is answered without an await (Nest sends a plain return
    // value as it is); only a row evicted in between is loaded. While the user cache has not moved since this
    // principal's profile was built from a cached row, that profile is still current: no look-up at all.
    const generation = this.users.cacheGeneration();
    const kept = UserProfileDto.kept(principal, generation);
    if (kept) return kept;
    const cached = this.users.peekCachedById(principal.userId);
    return cached ? UserProfileDto.cached(cached, principal, generation) : this.load(principal);
  }

  private async load(principal: Principal): Promise<UserProfileDto> {
    const user = await this.users.findCachedById(principal.userId);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    return UserProfileDto.from(user, principal);
  }
}
