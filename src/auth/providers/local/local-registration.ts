import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../../common/errors/app-error';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { type UserEntity, UsersService } from '../../../users';
import type { EmailVerified, RequestContext } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { LOCAL_USER_ISSUER } from '../../tokens/key-source';
import { LocalAccounts, registrationExpired } from './local-accounts';
import { LocalAuthRepository } from './local-auth.repository';
import { LOCAL_ACTOR, LOCAL_LIMITS } from './local-limits';
import { mailFor } from './mail-templates';
import { opaqueToken, sixDigitCode } from './random-codes';

type Registration = { email: string; password: string; fullName?: string };

/**
 * Sign-up and email verification for the local provider.
 *
 * Whoever proves the mailbox decides the credentials (pre-account takeover): registering an address whose account is
 * still unverified replaces that account's password and name together with a new code (earlier codes die), and
 * whatever the earlier registrant left (factors, sessions) is wiped; an unverified account older than
 * UNVERIFIED_ACCOUNT_TTL_S is deleted and registered afresh.
 */
@Injectable()
export class LocalRegistration {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: LocalAccounts,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
  ) {}

  /**
   * Input-only rules (the password policy) answer now; everything that depends on whether the address is known (the
   * hash, the lookup, the account, the code, the audit row, the mail) runs after the 202 is decided, so the answer's
   * timing is the same for every address.
   */
  async register(input: Registration, ctx: RequestContext): Promise<void> {
    this.accounts.checkPasswordPolicy(input.password, input.email);
    this.accounts.detach('register', ctx, () => this.registerNow(input, ctx));
  }

  private async registerNow(input: Registration, ctx: RequestContext): Promise<void> {
    const passwordHash = await this.accounts.hasher.hash(input.password);
    let existing = await this.users.findByEmail(input.email);
    if (existing && this.isOwnUnverified(existing) && registrationExpired(existing)) {
      await this.users.deleteUser(existing.id, { actor: LOCAL_ACTOR, type: 'register.expired_replaced', detail: { ip: ctx.ip } });
      existing = null;
    }
    if (existing) return this.registerExisting(existing, input, passwordHash, ctx);

    let created: UserEntity | undefined;
    const code = sixDigitCode();
    const link = opaqueToken();
    try {
      created = await this.users.inTransaction(async (tx) => {
        const { user } = await this.users.provision(
          {
            issuer: LOCAL_USER_ISSUER,
            subject: randomUUID(),
            authProvider: 'local',
            email: input.email,
            emailVerified: false,
            fullName: input.fullName ?? null,
            role: 'user',
            organizationId: null,
          },
          LOCAL_ACTOR,
          tx,
        );
        await this.repo.insertCredentials(tx, user.id, passwordHash);
        await this.repo.issueCode(user.id, 'email_verification', input.email, this.accounts.codeHash('email_verification', code), this.accounts.box.mac('link', link), LOCAL_LIMITS.verificationCodeTtlS, tx);
        return user;
      });
    } catch (err) {
      // Lost a race with a concurrent registration of the same address: carry on as for an existing account.
      if (!(err instanceof ConflictError)) throw err;
      const winner = await this.users.findByEmail(input.email);
      return winner ? this.registerExisting(winner, input, passwordHash, ctx) : undefined;
    }
    this.accounts.send(created, mailFor.verification(this.config, input.email, code, link), ctx);
  }

  private isOwnUnverified(user: UserEntity): boolean {
    return user.authProvider === 'local' && user.issuer === LOCAL_USER_ISSUER && user.status === 'pending_verification' && !user.emailVerified;
  }

  /**
   * A verified (or foreign) account gets a mail saying someone tried, never a second account or a change. A local
   * account nobody has verified yet is taken over by this registration: new password, new name, new code.
   */
  private async registerExisting(user: UserEntity, input: Registration, passwordHash: string, ctx: RequestContext): Promise<void> {
    if (!this.isOwnUnverified(user) || !user.email) {
      await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'register.duplicate', detail: { ip: ctx.ip } });
      if (user.email) this.accounts.send(user, mailFor.accountExists(this.config, user.email), ctx);
      return;
    }
    const code = sixDigitCode();
    const link = opaqueToken();
    await this.users.inTransaction(async (tx) => {
      await this.repo.setPassword(tx, user.id, passwordHash);
      await this.repo.wipeUnprovenAccess(tx, user.id);
      await this.repo.issueCode(user.id, 'email_verification', user.email!, this.accounts.codeHash('email_verification', code), this.accounts.box.mac('link', link), LOCAL_LIMITS.verificationCodeTtlS, tx);
    });
    await this.users.updateProfile(user.id, { fullName: input.fullName ?? null }, { actor: LOCAL_ACTOR, type: 'register.unverified_replaced', detail: { ip: ctx.ip } });
    await this.users.revokeTokens(user.id, LOCAL_ACTOR, 'unverified_account_replaced');
    this.accounts.send(user, mailFor.verification(this.config, user.email, code, link), ctx);
  }

  async confirmEmail(email: string, code: string, _ctx: RequestContext): Promise<EmailVerified | null> {
    const user = await this.accounts.localUser(email);
    // Unknown addresses run the same code query (against no user) and fail alike.
    await this.accounts.spendCode(user, 'email_verification', email, code);
    return user ? this.accounts.mailboxProved(user, 'code') : null;
  }

  /** The mailed link (POSTed by its page, never on GET): the same as typing the code, bound to the address it was sent to. */
  async confirmEmailLink(token: string): Promise<EmailVerified> {
    const used = await this.repo.useLink('email_verification', this.accounts.box.mac('link', token));
    if (!used) throw new ProviderError('CODE_INVALID', 'unknown, used or expired verification link');
    const user = await this.users.findById(used.userId);
    if (!user || user.email?.toLowerCase() !== used.address.toLowerCase()) throw new ProviderError('CODE_INVALID', 'link for another address');
    if (registrationExpired(user)) throw new ProviderError('CODE_INVALID', 'unverified registration expired');
    return this.accounts.mailboxProved(user, 'link');
  }

  /** Answers at once; the lookup, code, audit row and mail follow (see register). */
  async resendVerification(email: string, ctx: RequestContext): Promise<void> {
    this.accounts.detach('resend-verification', ctx, async () => {
      const user = await this.accounts.localUser(email);
      if (!user || user.emailVerified || user.status !== 'pending_verification') return;
      await this.sendVerificationCode(user, email, ctx);
    });
  }

  private async sendVerificationCode(user: UserEntity, email: string, ctx: RequestContext): Promise<void> {
    const code = sixDigitCode();
    const link = opaqueToken();
    await this.repo.issueCode(user.id, 'email_verification', email, this.accounts.codeHash('email_verification', code), this.accounts.box.mac('link', link), LOCAL_LIMITS.verificationCodeTtlS);
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'email.verification_sent', detail: { ip: ctx.ip } });
    this.accounts.send(user, mailFor.verification(this.config, email, code, link), ctx);
  }
}
