import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { USER_STATUS_CHANGED, type UserStatusChanged, UsersService } from '../../../users';
import { CognitoIdentities } from './cognito-identities';
import { BLOCKED_STATUSES } from '../../../common/user-status';

/**
 * When Gatehouse blocks a Cognito user (suspension, disable, rejection: each also moves the watermark), their Cognito
 * sessions end at Cognito too (AdminUserGlobalSignOut), so the refresh tokens stop minting anything, also at services
 * that do not ask Gatehouse. Async and best effort: the watermark already refuses those tokens at Gatehouse.
 */
@Injectable()
export class CognitoSignOutListener {
  constructor(
    private readonly users: UsersService,
    private readonly identities: CognitoIdentities,
  ) {}

  @OnEvent(USER_STATUS_CHANGED, { async: true, promisify: true, suppressErrors: true })
  async onStatusChanged(e: UserStatusChanged): Promise<void> {
    if (!BLOCKED_STATUSES.includes(e.to)) return;
    const user = await this.users.findById(e.userId);
    if (!user || user.authProvider !== 'cognito' || user.issuer !== this.identities.pool().issuer) return;
    await this.identities.signOutEverywhere(user.subject, `status.${e.to}`);
  }
}
