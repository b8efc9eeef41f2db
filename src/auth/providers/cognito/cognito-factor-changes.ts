import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { MAILER, type Mailer } from '../../../mail';
import { UsersService } from '../../../users';
import type { AccountCaller } from '../auth-provider';
import { factorChangeMail } from '../../factor-mails';
import { COGNITO_ACTOR, CognitoIdentities } from './cognito-identities';

export type CognitoFactorChange = 'enabled' | 'replaced' | 'removed';

/**
 * What follows a change to a Cognito user's second factor (#9 item 2, as for the local provider): the user is told by
 * mail, and a removal or a replacement ends the sessions that could outlive it. Cognito cannot end "the other"
 * sessions only (AdminUserGlobalSignOut ends them all), so Gatehouse ends every session, the caller's included: the
 * watermark refuses every earlier token at once, and the global sign-out stops Cognito minting new ones. A first
 * enrolment ends nothing (no factor was there to protect), and is mailed all the same.
 */
@Injectable()
export class CognitoFactorChanges {
  private readonly log = new Logger(CognitoFactorChanges.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly users: UsersService,
    private readonly identities: CognitoIdentities,
  ) {}

  async after(caller: AccountCaller, change: CognitoFactorChange): Promise<void> {
    const { userId, subject } = caller.principal;
    if (change !== 'enabled') {
      await this.users.revokeTokens(userId, COGNITO_ACTOR, `mfa.${change}`);
      await this.identities.signOutEverywhere(subject, `mfa.${change}`);
    }
    const user = await this.users.findById(userId);
    if (!user?.email) return;
    const { kind, ...mail } = factorChangeMail(this.config, user.email, change);
    // The change is done and must not be undone by a relay that is down: a failed notice is logged, not thrown.
    await this.mailer.send(mail).catch((err: unknown) => {
      this.log.error({ userId, kind, cause: err instanceof Error ? err.name : 'unknown' }, `${kind} mail not sent`);
    });
  }
}
