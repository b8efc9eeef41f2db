import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { ConflictError } from '../../../common/errors/app-error';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, Role } from '../../../config/config.types';
import { MAILER, type Mailer, type MailMessage } from '../../../mail/mailer';
import { AccountMirror } from '../../../users/account-mirror.service';
import { BLOCKED_STATUSES } from '../../../users/onboarding/transitions';
import type { UserEntity } from '../../../users/user.entity';
import { UsersService } from '../../../users/users.service';
import { LOCAL_USER_ISSUER } from '../../tokens/key-source';
import type { AdminFailureReason, AdminResult, AuthAdminPort, DirectoryClientInfo, DirectoryInfo, DirectoryPage, DirectoryUser, MfaPreference } from '../admin-port';
import type { RequestContext } from '../auth-provider';
import { LOCAL_LIMITS } from './local-limits';
import { LocalRecovery } from './local-recovery';
import { LocalAuthRepository } from './local-auth.repository';
import { canonicalEmail } from '../../../common/email';
import { attributePatch, decodeCursor, emailPrefixFilter, encodeCursor, normalizeEmail, pageLimit, passwordPolicyViolation, temporaryPassword, toDirectoryUser } from './local-directory';
import { LOCAL_SECRETS, type LocalSecrets } from './local-secrets';
import { mailFor } from './mail-templates';
import type { PasswordHasher } from './password-hasher';
import { opaqueToken, sixDigitCode } from './random-codes';
import { SecretBox } from './secret-box';

/** The port's signature names no caller, so every audit row written here says it came through the port. */
const ACTOR = 'admin:port';
/** What the provider's mail and audit helpers record for "where from": no client IP exists on this path. */
const ADMIN_CTX: RequestContext = { ip: 'admin-port' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An expected failure: becomes `{ ok: false, reason }` in `run`, never an exception to the caller. */
class Refusal extends Error {
  constructor(
    readonly reason: AdminFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'LocalAdminRefusal';
  }
}

const refuse = (reason: AdminFailureReason, message: string): never => {
  throw new Refusal(reason, message);
};

/**
 * The admin port for the local provider, on its own tables. `username` is the user's subject (the uuid in the `sub`
 * claim), as with Cognito; for convenience the user's email address is accepted too (anything containing "@").
 * Only local users (local issuer and provider) are visible: JIT-provisioned users of other issuers are not ours.
 *
 * Every mutation writes an auth.user_events row with actor `admin:port`.
 */
@Injectable()
export class LocalAdmin implements AuthAdminPort {
  private readonly log = new Logger(LocalAdmin.name);
  private readonly hasher: PasswordHasher;
  private readonly box: SecretBox;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOCAL_SECRETS) secrets: LocalSecrets,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
    private readonly mirror: AccountMirror,
    private readonly recovery: LocalRecovery,
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
  createUser(input: { email: string; temporaryPassword?: string; attributes?: Record<string, string>; emailVerified?: boolean; suppressInvite?: boolean }): Promise<AdminResult<DirectoryUser>> {
    return this.run(async () => {
      const email = normalizeEmail(input.email) ?? refuse('invalid_input', 'email is not an email address');
      const parsed = attributePatch(input.attributes ?? {});
      if ('error' in parsed) return refuse('invalid_input', parsed.error);
      if (parsed.patch.email !== undefined && parsed.patch.email !== email) refuse('invalid_input', 'attributes.email differs from email');
      const password = input.temporaryPassword ?? temporaryPassword(this.config.auth.local.passwordMinLength);
      this.checkPolicy(password, email);
      if (await this.users.findByEmail(email)) refuse('already_exists', 'an account with this address exists');
      const hash = await this.hasher.hash(password);
      const emailVerified = input.emailVerified === true;
      // A concurrent creation of the same address loses on the unique key: provision throws ConflictError → already_exists.
      const user = await this.users.inTransaction(async (tx) => {
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
          ACTOR,
          tx,
        );
        await this.repo.insertCredentials(tx, created.id, hash, true);
        return created;
      });
      await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'admin.user_created', detail: { invited: !input.suppressInvite, generatedPassword: input.temporaryPassword === undefined } });
      if (!input.suppressInvite) {
        await this.mail(user, mailFor.invite(this.config, email, password, !emailVerified));
        if (!emailVerified) await this.mailVerificationCode(user, email);
      }
      return this.entry(user.id);
    });
  }

  /** The user row goes (the local tables follow by cascade); the audit trail, written first, stays. */
  deleteUser(username: string): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      if (!(await this.mirror.remove(user.id, ACTOR, 'admin.user_deleted', { subject: user.subject }))) refuse('not_found', 'deleted concurrently');
    });
  }

  /**
   * disabled → active. A user who is not disabled and not blocked otherwise (active, onboarding) already is enabled:
   * ok. Suspended and rejected users are refused: enabling must not quietly undo a different decision.
   */
  enableUser(username: string): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      await this.step(user, 'ENABLED');
    });
  }

  /** → disabled, which also sets the revocation watermark; refresh tokens are revoked outright as well. */
  disableUser(username: string): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      await this.step(user, 'DISABLED');
      await this.repo.revokeAllRefreshTokens(user.id, 'admin_disabled');
    });
  }

  /**
   * Like Cognito's AdminResetUserPassword: the current password stops working (replaced by an unknown random one),
   * every token dies, and the user gets the provider's reset code by mail. An admin resetting a password usually
   * suspects it is known to someone else; leaving it valid until the user acts would keep that someone in.
   */
  resetPassword(username: string): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      if (!user.email) return refuse('invalid_input', 'the user has no address to mail a code to');
      // The provider mails no reset code to a blocked account; say so instead of pretending one was sent.
      if (BLOCKED_STATUSES.includes(user.status)) refuse('invalid_input', `the account is ${user.status}: enable it first`);
      const unknowable = await this.hasher.hash(randomBytes(32).toString('base64url'));
      await this.users.inTransaction(async (tx) => {
        await this.repo.setPassword(tx, user.id, unknowable);
        await this.repo.revokeAllRefreshTokens(user.id, 'admin_password_reset', tx);
      });
      await this.users.revokeTokens(user.id, ACTOR, 'admin_password_reset');
      await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'admin.password_reset' });
      await this.recovery.requestPasswordReset(user.email, ADMIN_CTX);
    });
  }

  /** `permanent=false` makes it a temporary password (NEW_PASSWORD_REQUIRED at the next sign-in). Tokens die either way. */
  setPassword(username: string, password: string, permanent: boolean): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      this.checkPolicy(password, user.email ?? '');
      const hash = await this.hasher.hash(password);
      await this.users.inTransaction(async (tx) => {
        await this.repo.setPassword(tx, user.id, hash, !permanent);
        await this.repo.revokeAllRefreshTokens(user.id, 'admin_set_password', tx);
      });
      await this.users.revokeTokens(user.id, ACTOR, 'admin_set_password');
      // password_reset_at is also the login lockout's generation: a new password lifts a lockout, as a reset does.
      await this.users.updateProfile(user.id, { passwordResetAt: new Date() }, { actor: ACTOR, type: 'admin.password_set', detail: { permanent } });
    });
  }

  /**
   * `name`/`fullName`, `email` and `custom:organizationId`; anything else refuses the whole update. A new address is
   * unverified until the user types the code mailed to it (until then the user cannot sign in).
   */
  updateAttributes(username: string, attributes: Record<string, string>): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      const parsed = attributePatch(attributes);
      if ('error' in parsed) return refuse('invalid_input', parsed.error);
      const { email, ...rest } = parsed.patch;
      const newEmail = email !== undefined && email !== user.email?.toLowerCase() ? email : undefined;
      const patch = { ...rest, ...(newEmail ? { email: newEmail, emailVerified: false } : {}) };
      if (Object.keys(patch).length === 0) return;
      await this.users.updateProfile(user.id, patch, { actor: ACTOR, type: 'admin.attributes_updated', detail: { attributes: Object.keys(attributes), emailChanged: Boolean(newEmail) } });
      if (newEmail) await this.mailVerificationCode(user, newEmail);
    });
  }

  getUser(username: string): Promise<AdminResult<DirectoryUser>> {
    return this.run(async () => this.entry((await this.find(username)).id));
  }

  /** Oldest first, keyed by (created_at, id); `filter` is an email prefix (or Cognito's `email ^= "prefix"`). */
  listUsers(opts: { limit?: number; cursor?: string; filter?: string } = {}): Promise<AdminResult<DirectoryPage>> {
    return this.run(async () => {
      const limit = pageLimit(opts.limit);
      const after = opts.cursor === undefined ? undefined : (decodeCursor(opts.cursor) ?? refuse('invalid_input', 'not a cursor from listUsers'));
      // One row more than asked tells whether another page exists, without a count.
      const rows = await this.repo.directoryPage({ limit: limit + 1, after, emailPrefix: emailPrefixFilter(opts.filter) });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { users: page.map(toDirectoryUser), ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
    });
  }

  /**
   * TOTP only (SMS is not offered). Disabling follows the user's own rule: refused while an admin requires MFA.
   * Enabling needs a finished enrolment; an enabled authenticator is always asked for, so there is nothing to prefer.
   */
  setMfaPreference(username: string, pref: MfaPreference): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      if (pref.sms?.enabled) refuse('not_supported', 'the local provider has no SMS factor');
      if (!pref.totp) return;
      const creds = await this.repo.credentials(user.id);
      if (pref.totp.enabled) {
        if (!creds?.totpSecretEnc) refuse('mfa_not_enrolled', 'the user has not finished TOTP enrolment');
        return;
      }
      if (user.mfaRequired) refuse('forbidden', 'mfa_required is set for this user');
      if (!creds?.totpSecretEnc && !creds?.totpPendingEnc) return;
      await this.users.inTransaction((tx) => this.repo.disableTotp(tx, user.id));
      await this.users.updateProfile(user.id, { mfaMethod: null }, { actor: ACTOR, type: 'admin.mfa_disabled', detail: { method: 'totp' } });
      await this.mirror.mfaRemoved(user.id, ACTOR);
    });
  }

  /**
   * Sets mfa_required (the user can no longer switch TOTP off). Mirrors Cognito's answer: when the user has no
   * authenticator yet the flag is set all the same, but the result is `mfa_not_enrolled`, because sign-in is not
   * challenged until they enrol.
   */
  requireMfa(username: string): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      if (!user.mfaRequired) await this.users.updateProfile(user.id, { mfaRequired: true }, { actor: ACTOR, type: 'admin.mfa_required' });
      const creds = await this.repo.credentials(user.id);
      if (!creds?.totpSecretEnc) refuse('mfa_not_enrolled', 'mfa_required is set; the user has no authenticator to be challenged for yet');
    });
  }

  /** Groups are ROLE_GROUP_MAP's names; the local user row holds one role, so joining a group sets its role. */
  addToGroup(username: string, group: string): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      await this.setRole(user, this.roleOf(group), group, 'admin.group_added');
    });
  }

  /** Leaving the group of the current role falls back to `user`; leaving another mapped group changes nothing. */
  removeFromGroup(username: string, group: string): Promise<AdminResult<void>> {
    return this.run(async () => {
      const user = await this.find(username);
      if (this.roleOf(group) === user.role) await this.setRole(user, 'user', group, 'admin.group_removed');
    });
  }

  describeDirectory(): Promise<AdminResult<DirectoryInfo>> {
    return this.run(async () => ({
      id: 'local',
      name: 'Gatehouse local users',
      mfa: 'optional' as const,
      usernameAttributes: ['email'],
      passwordPolicy: { minLength: this.config.auth.local.passwordMinLength },
      estimatedUsers: await this.repo.countDirectory(),
    }));
  }

  /** There is no app client: local tokens come from Gatehouse itself. */
  describeClient(): Promise<AdminResult<DirectoryClientInfo>> {
    return this.run(async () => refuse('not_supported', 'the local provider has no app client'));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  private async find(username: string): Promise<UserEntity> {
    const name = username.trim();
    let user: UserEntity | null = null;
    if (name.includes('@')) user = await this.users.findByEmail(canonicalEmail(name), 'local');
    else if (UUID.test(name)) user = await this.users.findByIssuerSubject(LOCAL_USER_ISSUER, name.toLowerCase());
    if (!user || user.issuer !== LOCAL_USER_ISSUER || user.authProvider !== 'local') return refuse('not_found', 'no local user by that name');
    return user;
  }

  private async entry(userId: string): Promise<DirectoryUser> {
    const row = (await this.repo.directoryEntry(userId)) ?? refuse('not_found', 'no local user with credentials');
    return toDirectoryUser(row);
  }

  /** Applies a ladder event through AccountMirror (shared with Cognito's admin port); a status already at the goal is ok. */
  private async step(user: UserEntity, event: 'ENABLED' | 'DISABLED'): Promise<void> {
    const outcome = event === 'ENABLED' ? await this.mirror.enable(user.id, ACTOR, { via: 'admin_port' }) : await this.mirror.disable(user.id, ACTOR, { via: 'admin_port' });
    if (outcome.done) return;
    if (outcome.status === null) refuse('not_found', 'deleted concurrently');
    refuse('invalid_input', `${event} is not allowed from ${outcome.status}`);
  }

  private roleOf(group: string): Role {
    const map = this.config.auth.roleGroupMap;
    return Object.hasOwn(map, group) ? map[group]! : refuse('invalid_input', `group "${group.slice(0, 60)}" is not in ROLE_GROUP_MAP`);
  }

  private async setRole(user: UserEntity, role: Role, group: string, type: string): Promise<void> {
    if (user.role === role) return;
    await this.mirror.setRole(user.id, role, ACTOR, type, { group });
  }

  private checkPolicy(password: string, email: string): void {
    const violation = passwordPolicyViolation(password, email, this.config.auth.local.passwordMinLength, LOCAL_LIMITS.maxPasswordLength);
    if (violation) refuse('password_policy', violation);
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

  private async run<T>(fn: () => Promise<T>): Promise<AdminResult<T>> {
    try {
      return { ok: true, data: await fn() };
    } catch (err) {
      if (err instanceof Refusal) return { ok: false, reason: err.reason, error: { name: err.name, message: err.message } };
      // Lost a race on the email's unique key (a concurrent create, or an address change to one in use).
      if (err instanceof ConflictError || (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505')) {
        return { ok: false, reason: 'already_exists', error: { name: err.name, message: 'the address belongs to another account' } };
      }
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'local admin operation failed');
      return { ok: false, reason: 'unavailable', error: { name: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err) } };
    }
  }
}
