import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { ConflictError } from '../../../common/errors/app-error';
import { BLOCKED_STATUSES } from '../../../common/user-status';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, Role } from '../../../config/config.types';
import { MAILER, type Mailer, type MailMessage } from '../../../mail';
import { type UserEntity, UsersService } from '../../../users';
import { AccountLadder } from '../../account-ladder';
import { LOCAL_USER_ISSUER } from '../../tokens/key-source';
import {
  type AdminActor,
  AdminPortError,
  auditActor,
  type AuthAdminPort,
  type CreateUserInput,
  type DirectoryClientInfo,
  type DirectoryInfo,
  type DirectoryPage,
  type DirectoryUser,
  type DirectoryUserDetail,
  type GroupChange,
  type MfaPreference,
} from '../admin-port';
import type { RequestContext } from '../auth-provider';
import { LOCAL_LIMITS } from './local-limits';
import { LocalRecovery } from './local-recovery';
import { LocalUserInspection } from './local-user-inspection';
import { LocalAuthRepository } from './local-auth.repository';
import { attributePatch, decodeCursor, emailPrefixFilter, encodeCursor, normalizeEmail, pageLimit, passwordPolicyViolation, temporaryPassword, toDirectoryUser } from './local-directory';
import { LOCAL_SECRETS, type LocalSecrets } from './local-secrets';
import { mailFor } from './mail-templates';
import type { PasswordHasher } from './password-hasher';
import { opaqueToken, sixDigitCode } from './random-codes';
import { SecretBox } from './secret-box';

/** What the provider's mail and audit helpers record for "where from": no client IP exists on this path. */
const ADMIN_CTX: RequestContext = { ip: 'admin-port' };

const refuse = (code: ConstructorParameters<typeof AdminPortError>[0], detail: string): never => {
  throw new AdminPortError(code, detail);
};

/**
 * The admin port for the local provider: its directory is Gatehouse's own tables (credentials, codes, refresh
 * tokens, the profile columns). Users are keyed by Gatehouse user id; only local users (local issuer and provider)
 * are visible. Ladder moves and the revocation watermark are not done here: AccountAdministration mirrors them.
 */
@Injectable()
export class LocalAdmin implements AuthAdminPort {
  readonly provider = 'local' as const;
  private readonly log = new Logger(LocalAdmin.name);
  private readonly hasher: PasswordHasher;
  private readonly box: SecretBox;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOCAL_SECRETS) secrets: LocalSecrets,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
    private readonly ladder: AccountLadder,
    private readonly recovery: LocalRecovery,
    private readonly inspection: LocalUserInspection,
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
    this.checkPolicy(password, email);
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
    return { ...(await this.entry(user.id)), userId: user.id };
  }

  /** The local tables go with the row (by cascade, when the mirror deletes it); the refresh tokens die now. */
  async deleteUser(userId: string): Promise<void> {
    await this.repo.revokeAllRefreshTokens((await this.find(userId)).id, 'admin_deleted');
  }

  /** Local sign-in reads the ladder's status: nothing to switch on here. */
  async enableUser(userId: string): Promise<void> {
    await this.find(userId);
  }

  /** Sign-in refuses a disabled status; the provider's sessions (refresh tokens) end now. */
  async disableUser(userId: string): Promise<void> {
    await this.repo.revokeAllRefreshTokens((await this.find(userId)).id, 'admin_disabled');
  }

  async signOutEverywhere(userId: string): Promise<void> {
    await this.repo.revokeAllRefreshTokens((await this.find(userId)).id, 'admin_sign_out');
  }

  /**
   * Like Cognito's AdminResetUserPassword: the current password stops working (replaced by an unknown random one),
   * refresh tokens die, and the user gets the provider's reset code by mail. An admin resetting a password usually
   * suspects it is known to someone else; leaving it valid until the user acts would keep that someone in.
   */
  async resetPassword(userId: string, actor: AdminActor): Promise<void> {
    const user = await this.find(userId);
    if (!user.email) return refuse('INVALID_INPUT', 'the user has no address to mail a code to');
    // The provider mails no reset code to a blocked account; say so instead of pretending one was sent.
    if (BLOCKED_STATUSES.includes(user.status)) refuse('INVALID_TRANSITION', `the account is ${user.status}: enable it first`);
    const unknowable = await this.hasher.hash(randomBytes(32).toString('base64url'));
    await this.users.inTransaction(async (tx) => {
      await this.repo.setPassword(tx, user.id, unknowable);
      await this.repo.revokeAllRefreshTokens(user.id, 'admin_password_reset', tx);
    });
    await this.ladder.record(user.id, auditActor(actor), 'admin.password_reset');
    await this.recovery.requestPasswordReset(user.email, ADMIN_CTX);
  }

  /** `permanent=false` makes it a temporary password (NEW_PASSWORD_REQUIRED at the next sign-in). */
  async setPassword(userId: string, password: string, permanent: boolean): Promise<void> {
    const user = await this.find(userId);
    this.checkPolicy(password, user.email ?? '');
    const hash = await this.hasher.hash(password);
    await this.users.inTransaction(async (tx) => {
      await this.repo.setPassword(tx, user.id, hash, !permanent);
      await this.repo.revokeAllRefreshTokens(user.id, 'admin_set_password', tx);
    });
  }

  /**
   * `name`/`fullName`, `email` and `custom:organizationId`; anything else refuses the whole update. A new address is
   * unverified until the user types the code mailed to it (until then the user cannot sign in).
   */
  async updateAttributes(userId: string, attributes: Record<string, string>, actor: AdminActor): Promise<void> {
    const user = await this.find(userId);
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

  async getUser(userId: string): Promise<DirectoryUser> {
    return this.entry((await this.find(userId)).id);
  }

  /** The entry, the (absent) groups and the lock: see LocalUserInspection. */
  async inspectUser(userId: string): Promise<DirectoryUserDetail> {
    const user = await this.find(userId);
    return this.inspection.detail(user, await this.entry(user.id));
  }

  /** Oldest first, keyed by (created_at, id); `filter` is an email prefix (or Cognito's `email ^= "prefix"`). */
  async listUsers(opts: { limit?: number; cursor?: string; filter?: string } = {}): Promise<DirectoryPage> {
    const limit = pageLimit(opts.limit);
    const after = opts.cursor === undefined ? undefined : (decodeCursor(opts.cursor) ?? refuse('INVALID_INPUT', 'not a cursor from listUsers'));
    // One row more than asked tells whether another page exists, without a count.
    const rows = await this.repo.directoryPage({ limit: limit + 1, after, emailPrefix: emailPrefixFilter(opts.filter) });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { users: page.map(toDirectoryUser), ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
  }

  /**
   * TOTP only (SMS is not offered). Disabling follows the user's own rule: refused while an admin requires MFA.
   * Enabling needs a finished enrolment; an enabled authenticator is always asked for, so there is nothing to prefer.
   */
  async setMfaPreference(userId: string, pref: MfaPreference, actor: AdminActor): Promise<void> {
    const user = await this.find(userId);
    if (pref.sms?.enabled) refuse('NOT_SUPPORTED', 'the local provider has no SMS factor');
    if (!pref.totp) return;
    const creds = await this.repo.credentials(user.id);
    if (pref.totp.enabled) {
      if (!creds?.totpSecretEnc) refuse('MFA_NOT_ENROLLED', 'the user has not finished TOTP enrolment');
      return;
    }
    if (user.mfaRequired) refuse('MFA_REQUIRED_BY_ADMIN', 'mfa_required is set for this user');
    if (!creds?.totpSecretEnc && !creds?.totpPendingEnc) return;
    await this.users.inTransaction((tx) => this.repo.disableTotp(tx, user.id));
    await this.users.updateProfile(user.id, { mfaMethod: null }, { actor: auditActor(actor), type: 'admin.mfa_disabled', detail: { method: 'totp' } });
  }

  /** Local sign-in always challenges an enabled authenticator: the only question is whether there is one yet. */
  async requireMfa(userId: string): Promise<{ challenged: boolean }> {
    const creds = await this.repo.credentials((await this.find(userId)).id);
    return { challenged: Boolean(creds?.totpSecretEnc) };
  }

  /** Groups are ROLE_GROUP_MAP's names; the local user row holds one role, so joining a group sets its role. */
  async addToGroup(userId: string, group: string): Promise<GroupChange> {
    await this.find(userId);
    return { role: this.roleOf(group) };
  }

  /** Leaving the group of the current role falls back to `user`; leaving another mapped group changes nothing. */
  async removeFromGroup(userId: string, group: string): Promise<GroupChange> {
    const user = await this.find(userId);
    return { role: this.roleOf(group) === user.role ? 'user' : user.role };
  }

  async describeDirectory(): Promise<DirectoryInfo> {
    return {
      id: 'local',
      name: 'Gatehouse local users',
      mfa: 'optional' as const,
      usernameAttributes: ['email'],
      passwordPolicy: { minLength: this.config.auth.local.passwordMinLength },
      estimatedUsers: await this.repo.countDirectory(),
    };
  }

  /** There is no app client: local tokens come from Gatehouse itself. */
  describeClient(): Promise<DirectoryClientInfo> {
    return Promise.reject(new AdminPortError('NOT_SUPPORTED', 'the local provider has no app client'));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  private async find(userId: string): Promise<UserEntity> {
    const user = await this.ladder.findUser(userId);
    if (!user || user.issuer !== LOCAL_USER_ISSUER || user.authProvider !== 'local') return refuse('USER_NOT_FOUND', 'no local user with that id');
    return user;
  }

  private async entry(userId: string): Promise<DirectoryUser> {
    const row = (await this.repo.directoryEntry(userId)) ?? refuse('USER_NOT_FOUND', 'no local user with credentials');
    return toDirectoryUser(row);
  }

  private roleOf(group: string): Role {
    const map = this.config.auth.roleGroupMap;
    return Object.hasOwn(map, group) ? map[group]! : refuse('INVALID_INPUT', `group "${group.slice(0, 60)}" is not in ROLE_GROUP_MAP`);
  }

  private checkPolicy(password: string, email: string): void {
    const violation = passwordPolicyViolation(password, email, this.config.auth.local.passwordMinLength, LOCAL_LIMITS.maxPasswordLength);
    if (violation) refuse('PASSWORD_POLICY', violation);
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
