import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { ConflictError } from '../../../common/errors/app-error';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { MAILER, type Mailer, type MailMessage } from '../../../mail';
import { type UserEntity, UsersService } from '../../../users';
import { AccountLadder } from '../../account-ladder';
import { LOCAL_USER_ISSUER } from '../../tokens/key-source';
import { type AdminActor, AdminPortError, auditActor, type CreateUserInput, type DirectoryUser } from '../admin-port';
import { checkAdminPassword, LocalAdminDirectory, refuse } from './local-admin-directory';
import { LocalAuthRepository } from './local-auth.repository';
import { attributePatch, normalizeEmail, temporaryPassword } from './local-directory';
import { LOCAL_LIMITS } from './local-limits';
import { LOCAL_SECRETS, type LocalSecrets } from './local-secrets';
import { mailFor } from './mail-templates';
import type { PasswordHasher } from './password-hasher';
import { opaqueToken, sixDigitCode } from './random-codes';
import { SecretBox } from './secret-box';

/**
 * Who a local user is, as an administrator sets it: creating the user (temporary password, invitation) and changing
 * the profile attributes, with the mails each sends (the invitation, a verification code for a new address).
 */
@Injectable()
export class LocalAdminEnrolment {
  // LocalAdmin's name: these log lines were its own before the split.
  private readonly log = new Logger('LocalAdmin');
  private readonly hasher: PasswordHasher;
  private readonly box: SecretBox;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOCAL_SECRETS) secrets: LocalSecrets,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
    private readonly ladder: AccountLadder,
    private readonly directory: LocalAdminDirectory,
  ) {
    this.hasher = secrets.hasher;
    this.box = new SecretBox(secrets.dataKey);
  }

  /**
   * Creates the user with a temporary password (generated unless given) that must be changed at the first sign-in
   * (NEW_PASSWORD_REQUIRED). Unless `suppressInvite`, the password is mailed; an unverified address also gets a
   * verification code, because an unverified address cannot sign in. With `suppressInvite` nothing is mailed: the
   * user can still get in through "forgot password", which proves the address.
   */
  async createUser(input: CreateUserInput, actor: AdminActor): Promise<DirectoryUser & { userId: string }> {
    const by = auditActor(actor);
    const email = normalizeEmail(input.email) ?? refuse('INVALID_INPUT', 'email is not an email address');
    const parsed = attributePatch(input.attributes ?? {});
    if ('error' in parsed) return refuse('INVALID_INPUT', parsed.error);
    if (parsed.patch.email !== undefined && parsed.patch.email !== email) refuse('INVALID_INPUT', 'attributes.email differs from email');
    const password = input.temporaryPassword ?? temporaryPassword(this.config.auth.local.passwordMinLength);
    checkAdminPassword(password, email, this.config.auth.local.passwordMinLength);
    if (await this.users.findByEmail(email)) refuse('EMAIL_IN_USE', 'an account with this address exists');
    const hash = await this.hasher.hash(password);
    const emailVerified = input.emailVerified === true;
    const user = await this.unique(() =>
      this.users.inTransaction(async (tx) => {
        const { user: created } = await this.users.provision(
          {
            issuer: LOCAL_USER_ISSUER,
            subject: randomUUID(),
            authProvider: 'local',
            email,
            emailVerified,
            fullName: parsed.patch.fullName ?? null,
            role: 'user',
            organizationId: parsed.patch.organizationId ?? null,
          },
          by,
          tx,
        );
        await this.repo.insertCredentials(tx, created.id, hash, true);
        return created;
      }),
    );
    await this.ladder.record(user.id, by, 'admin.user_created', { invited: !input.suppressInvite, generatedPassword: input.temporaryPassword === undefined });
    if (!input.suppressInvite) {
      await this.mail(user, mailFor.invite(this.config, email, password, !emailVerified));
      if (!emailVerified) await this.mailVerificationCode(user, email);
    }
    return { ...(await this.directory.entry(user.id)), userId: user.id };
  }

  /**
   * `name`/`fullName`, `email` and `custom:organizationId`; anything else refuses the whole update. A new address is
   * unverified until the user types the code mailed to it (until then the user cannot sign in).
   */
  async updateAttributes(userId: string, attributes: Record<string, string>, actor: AdminActor): Promise<void> {
    const user = await this.directory.find(userId);
    const parsed = attributePatch(attributes);
    if ('error' in parsed) return refuse('INVALID_INPUT', parsed.error);
    const { email, ...rest } = parsed.patch;
    const newEmail = email !== undefined && email !== user.email?.toLowerCase() ? email : undefined;
    const patch = { ...rest, ...(newEmail ? { email: newEmail, emailVerified: false } : {}) };
    if (Object.keys(patch).length === 0) return;
    await this.unique(() =>
      this.users.updateProfile(user.id, patch, { actor: auditActor(actor), type: 'admin.attributes_updated', detail: { attributes: Object.keys(attributes), emailChanged: Boolean(newEmail) } }),
    );
    if (newEmail) await this.mailVerificationCode(user, newEmail);
  }

  /** Lost a race on the email's unique key (a concurrent create, or an address change to one in use): EMAIL_IN_USE. */
  private async unique<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConflictError || (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505')) {
        throw new AdminPortError('EMAIL_IN_USE', 'the address belongs to another account');
      }
      throw err;
    }
  }

  /**
   * The provider's verification mail (same code and link hashes, so /auth/confirm-email accepts it). Not through
   * provider.resendVerification: that serves only users still in pending_verification, and an address changed by an
   * admin may belong to a user far past it.
   */
  private async mailVerificationCode(user: UserEntity, email: string): Promise<void> {
    const code = sixDigitCode();
    const link = opaqueToken();
    await this.repo.issueCode(user.id, 'email_verification', email, this.box.mac('email_verification', code), this.box.mac('link', link), LOCAL_LIMITS.verificationCodeTtlS);
    await this.mail(user, mailFor.verification(this.config, email, code, link));
  }

  /** Awaited (no timing to hide on an admin path); a failed send is logged, and the admin can resend via a reset. */
  private async mail(user: UserEntity, msg: MailMessage): Promise<void> {
    try {
      await this.mailer.send(msg);
    } catch (err) {
      this.log.error({ userId: user.id, err: err instanceof Error ? err.message : String(err) }, `mail "${msg.subject}" not sent`);
    }
  }
}
