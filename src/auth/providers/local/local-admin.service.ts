import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { BLOCKED_STATUSES } from '../../../common/user-status';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, Role } from '../../../config/config.types';
import { UsersService } from '../../../users';
import { AccountLadder } from '../../account-ladder';
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
import { checkAdminPassword, LocalAdminDirectory, refuse } from './local-admin-directory';
import { LocalAdminEnrolment } from './local-admin-enrolment';
import { LocalAuthRepository } from './local-auth.repository';
import { LocalRecovery } from './local-recovery';
import { LOCAL_SECRETS, type LocalSecrets } from './local-secrets';
import type { PasswordHasher } from './password-hasher';

/** What the provider's mail and audit helpers record for "where from": no client IP exists on this path. */
const ADMIN_CTX: RequestContext = { ip: 'admin-port' };

/**
 * The admin port for the local provider: its directory is Gatehouse's own tables (credentials, codes, refresh
 * tokens, the profile columns). Users are keyed by Gatehouse user id; only local users (local issuer and provider)
 * are visible. Ladder moves and the revocation watermark are not done here: AccountAdministration mirrors them.
 * Reads are LocalAdminDirectory's, creating users and their attributes LocalAdminEnrolment's; what stays here is
 * access: passwords, sessions, the second factor and groups.
 */
@Injectable()
export class LocalAdmin implements AuthAdminPort {
  readonly provider = 'local' as const;
  private readonly hasher: PasswordHasher;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOCAL_SECRETS) secrets: LocalSecrets,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
    private readonly ladder: AccountLadder,
    private readonly recovery: LocalRecovery,
    private readonly directory: LocalAdminDirectory,
    private readonly enrolment: LocalAdminEnrolment,
  ) {
    this.hasher = secrets.hasher;
  }

  /** See LocalAdminEnrolment.createUser: a temporary password, mailed unless `suppressInvite`. */
  createUser(input: CreateUserInput, actor: AdminActor): Promise<DirectoryUser & { userId: string }> {
    return this.enrolment.createUser(input, actor);
  }

  /** The local tables go with the row (by cascade, when the mirror deletes it); the refresh tokens die now. */
  async deleteUser(userId: string): Promise<void> {
    await this.repo.revokeAllRefreshTokens((await this.directory.find(userId)).id, 'admin_deleted');
  }

  /** Local sign-in reads the ladder's status: nothing to switch on here. */
  async enableUser(userId: string): Promise<void> {
    await this.directory.find(userId);
  }

  /** Sign-in refuses a disabled status; the provider's sessions (refresh tokens) end now. */
  async disableUser(userId: string): Promise<void> {
    await this.repo.revokeAllRefreshTokens((await this.directory.find(userId)).id, 'admin_disabled');
  }

  async signOutEverywhere(userId: string): Promise<void> {
    await this.repo.revokeAllRefreshTokens((await this.directory.find(userId)).id, 'admin_sign_out');
  }

  /**
   * Like Cognito's AdminResetUserPassword: the current password stops working (replaced by an unknown random one),
   * refresh tokens die, and the user gets the provider's reset code by mail. An admin resetting a password usually
   * suspects it is known to someone else; leaving it valid until the user acts would keep that someone in.
   */
  async resetPassword(userId: string, actor: AdminActor): Promise<void> {
    const user = await this.directory.find(userId);
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
    const user = await this.directory.find(userId);
    checkAdminPassword(password, user.email ?? '', this.config.auth.local.passwordMinLength);
    const hash = await this.hasher.hash(password);
    await this.users.inTransaction(async (tx) => {
      await this.repo.setPassword(tx, user.id, hash, !permanent);
      await this.repo.revokeAllRefreshTokens(user.id, 'admin_set_password', tx);
    });
  }

  /** See LocalAdminEnrolment.updateAttributes: a new address is unverified until its code is typed. */
  updateAttributes(userId: string, attributes: Record<string, string>, actor: AdminActor): Promise<void> {
    return this.enrolment.updateAttributes(userId, attributes, actor);
  }

  getUser(userId: string): Promise<DirectoryUser> {
    return this.directory.getUser(userId);
  }

  inspectUser(userId: string): Promise<DirectoryUserDetail> {
    return this.directory.inspectUser(userId);
  }

  listUsers(opts: { limit?: number; cursor?: string; filter?: string } = {}): Promise<DirectoryPage> {
    return this.directory.listUsers(opts);
  }

  /**
   * TOTP only (SMS is not offered). Disabling follows the user's own rule: refused while an admin requires MFA.
   * Enabling needs a finished enrolment; an enabled authenticator is always asked for, so there is nothing to prefer.
   */
  async setMfaPreference(userId: string, pref: MfaPreference, actor: AdminActor): Promise<void> {
    const user = await this.directory.find(userId);
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
    const creds = await this.repo.credentials((await this.directory.find(userId)).id);
    return { challenged: Boolean(creds?.totpSecretEnc) };
  }

  /** Groups are ROLE_GROUP_MAP's names; the local user row holds one role, so joining a group sets its role. */
  async addToGroup(userId: string, group: string): Promise<GroupChange> {
    await this.directory.find(userId);
    return { role: this.roleOf(group) };
  }

  /** Leaving the group of the current role falls back to `user`; leaving another mapped group changes nothing. */
  async removeFromGroup(userId: string, group: string): Promise<GroupChange> {
    const user = await this.directory.find(userId);
    return { role: this.roleOf(group) === user.role ? 'user' : user.role };
  }

  describeDirectory(): Promise<DirectoryInfo> {
    return this.directory.describeDirectory();
  }

  /** There is no app client: local tokens come from Gatehouse itself. */
  describeClient(): Promise<DirectoryClientInfo> {
    return Promise.reject(new AdminPortError('NOT_SUPPORTED', 'the local provider has no app client'));
  }

  private roleOf(group: string): Role {
    const map = this.config.auth.roleGroupMap;
    return Object.hasOwn(map, group) ? map[group]! : refuse('INVALID_INPUT', `group "${group.slice(0, 60)}" is not in ROLE_GROUP_MAP`);
  }
}
