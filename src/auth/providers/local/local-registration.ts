import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../../common/errors/app-error';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import type { UserEntity } from '../../../users/user.entity';
import { UsersService } from '../../../users/users.service';
import type { RequestContext } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { LOCAL_USER_ISSUER } from '../../tokens/key-source';
import { LocalAccounts } from './local-accounts';
import { LocalAuthRepository } from './local-auth.repository';
import { LOCAL_ACTOR, LOCAL_LIMITS } from './local-limits';
import { mailFor } from './mail-templates';
import { opaqueToken, sixDigitCode } from './random-codes';

/** Sign-up and email verification for the local provider. */
@Injectable()
export class LocalRegistration {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: LocalAccounts,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
  ) {}

  async register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void> {
    this.accounts.checkPasswordPolicy(input.password, input.email);
    // Hash first, whatever happens next: a known address must not answer measurably faster than a new one.
    const passwordHash = await this.accounts.hasher.hash(input.password);
    const existing = await this.users.findByEmail(input.email);
    if (existing) return this.registerExisting(existing, ctx);

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
            status: 'pending_verification',
          },
          LOCAL_ACTOR,
          tx,
        );
        await this.repo.insertCredentials(tx, user.id, passwordHash);
        await this.repo.issueCode(user.id, 'email_verification', input.email, this.accounts.codeHash('email_verification', code), this.accounts.box.mac('link', link), LOCAL_LIMITS.verificationCodeTtlS, tx);
        return user;
      });
    } catch (err) {
      // Lost a race with a concurrent registration of the same address: answer exactly as for an existing one.
      if (err instanceof ConflictError) return;
      throw err;
    }
    this.accounts.send(created, mailFor.verification(this.config, input.email, code, link), ctx);
  }

  /** An address that already has an account gets a mail saying so (or a fresh code while unverified), never a second account. */
  private async registerExisting(user: UserEntity, ctx: RequestContext): Promise<void> {
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'register.duplicate', detail: { ip: ctx.ip } });
    if (user.authProvider === 'local' && user.status === 'pending_verification' && user.email) {
      await this.sendVerificationCode(user, user.email, ctx);
      return;
    }
    if (user.email) this.accounts.send(user, mailFor.accountExists(this.config, user.email), ctx);
  }

  async confirmEmail(email: string, code: string, _ctx: RequestContext): Promise<void> {
    const user = await this.accounts.localUser(email);
    if (!user) throw new ProviderError('CODE_INVALID', 'no local user for this address');
    await this.accounts.spendCode(user, 'email_verification', email, code);
    await this.accounts.markVerified(user, 'code');
  }

  /** The mailed link: the same as typing the code, bound to the address it was sent to. */
  async confirmEmailLink(token: string): Promise<void> {
    const used = await this.repo.useLink('email_verification', this.accounts.box.mac('link', token));
    if (!used) throw new ProviderError('CODE_INVALID', 'unknown, used or expired verification link');
    const user = await this.users.findById(used.userId);
    if (!user || user.email?.toLowerCase() !== used.address.toLowerCase()) throw new ProviderError('CODE_INVALID', 'link for another address');
    await this.accounts.markVerified(user, 'link');
  }

  async resendVerification(email: string, ctx: RequestContext): Promise<void> {
    const user = await this.accounts.localUser(email);
    if (!user || user.emailVerified || user.status !== 'pending_verification') return;
    await this.sendVerificationCode(user, email, ctx);
  }

  private async sendVerificationCode(user: UserEntity, email: string, ctx: RequestContext): Promise<void> {
    const code = sixDigitCode();
    const link = opaqueToken();
    await this.repo.issueCode(user.id, 'email_verification', email, this.accounts.codeHash('email_verification', code), this.accounts.box.mac('link', link), LOCAL_LIMITS.verificationCodeTtlS);
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'email.verification_sent', detail: { ip: ctx.ip } });
    this.accounts.send(user, mailFor.verification(this.config, email, code, link), ctx);
  }
}
