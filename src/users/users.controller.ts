import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowStatus, CurrentUser } from '../common/decorators/auth.decorators';
import { NotFoundError } from '../common/errors/app-error';
import { ApiErrorResponses } from '../common/errors/error-response.dto';
import type { Principal } from '../common/principal';
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
  @AllowStatus('pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription', 'suspended', 'rejected')
  @ApiOperation({ summary: "The caller's profile and onboarding status" })
  @ApiOkResponse({ type: UserProfileDto })
  async me(@CurrentUser() principal: Principal): Promise<UserProfileDto> {
    const user = await this.users.findCachedById(principal.userId);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    return UserProfileDto.from(user, principal);
  }
}
