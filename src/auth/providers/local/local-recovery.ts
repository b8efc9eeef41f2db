import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { UsersService } from '../../../users';
import type { EmailVerified, RequestContext } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { LocalAccounts } from './local-accounts';
import { LocalAuthRepository } from './local-auth.repository';
import { LOCAL_ACTOR, LOCAL_LIMITS } from './local-limits';
import { mailFor } from './mail-templates';
import { sixDigitCode } from './random-codes';
import { BLOCKED_STATUSES } from '../../../common/user-status';

/** Forgotten passwords: a mailed code, then a new password that ends every session. */
@Injectable()
export class LocalRecovery {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: LocalAccounts,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
  ) {}

  /** Answers at once; the lookup, the code, the audit row and the mail follow, so timing tells no account apart. */
  async requestPasswordReset(email: string, ctx: RequestContext): Promise<void> {
    this.accounts.detach('password-forgot', ctx, async () => {
      const user = await this.accounts.localUser(email);
      if (!user || BLOCKED_STATUSES.includes(user.status)) return;
      const code = sixDigitCode();
      await this.repo.issueCode(user.id, 'password_reset', email, this.accounts.codeHash('password_reset', code), null, LOCAL_LIMITS.resetCodeTtlS);
      await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'password.reset_requested', detail: { ip: ctx.ip } });
      this.accounts.send(user, mailFor.passwordReset(this.config, email, code), ctx);
    });
  }

  /**
   * The policy is checked on the input alone, before any lookup; then the new password is hashed and one code attempt
   * is made whether or not the address is known, so an unknown address, a wrong code and no live code all answer
   * CODE_INVALID after the same work.
   */
  async confirmPasswordReset(input: { email: string; code: string; newPassword: string }, _ctx: RequestContext): Promise<EmailVerified | null> {
    this.accounts.checkPasswordPolicy(input.newPassword, input.email);
    const hash = await this.accounts.hasher.hash(input.newPassword);
    const user = await this.accounts.localUser(input.email);
    const codeId = await this.accounts.checkCode(user, 'password_reset', input.email, input.code);
    if (!user) throw new ProviderError('CODE_INVALID', 'no local user for this address');
    const done = await this.users.inTransaction(async (tx) => {
      if (!(await this.repo.useCode(codeId, tx))) return false;
      await this.repo.setPassword(tx, user.id, hash);
      await this.repo.revokeAllRefreshTokens(user.id, 'password_reset', tx);
      return true;
    });
    if (!done) throw new ProviderError('CODE_INVALID', 'code used concurrently');
    await this.users.updateProfile(user.id, { passwordResetAt: new Date() }, { actor: LOCAL_ACTOR, type: 'password.reset' });
    await this.users.revokeTokens(user.id, LOCAL_ACTOR, 'password_reset');
    // The reset code reached this mailbox, which proves the address as well as a verification code would (and the
    // new password is the mailbox owner's: mailboxProved wipes whatever an earlier registrant set up).
    return user.emailVerified ? null : this.accounts.mailboxProved(user, 'password_reset');
  }
}
