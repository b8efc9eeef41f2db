import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../../config/config.types';
import { AccountLadder } from '../../account-ladder';
import { roleFor } from '../../tokens/role-mapping';
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
import { COGNITO_CLIENT } from './cognito-client.factory';
import { adminPortError, toAttributeList, toDirectoryUser } from './cognito-directory';
import { cognitoErrorName, isCognitoError } from './cognito-errors';
import { CognitoIdentities } from './cognito-identities';

/**
 * Cognito's admin API behind the provider-neutral AuthAdminPort: provider-side actions only (the ladder, the
 * watermark and Gatehouse's audit rows are AccountAdministration's). A user is named by Gatehouse user id; its
 * Cognito Username is the row's subject (the sub: email is the pool's username attribute). Needs IAM credentials
 * with the cognito-idp:Admin* actions on the pool (see .env.example).
 */
@Injectable()
export class CognitoAdmin implements AuthAdminPort {
  readonly provider = 'cognito' as const;
  private readonly log = new Logger(CognitoAdmin.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
    private readonly ladder: AccountLadder,
    private readonly identities: CognitoIdentities,
  ) {}

  /** AdminCreateUser, then the Gatehouse row by (issuer, sub), so the new user has an id to act on at once. */
  async createUser(input: CreateUserInput): Promise<DirectoryUser & { userId: string }> {
    const pool = this.pool();
    const extra = { email: input.email, ...(input.emailVerified ? { email_verified: 'true' } : {}), ...(input.attributes ?? {}) };
    const out = await this.call('AdminCreateUser', () =>
      this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: pool.userPoolId,
          Username: input.email,
          TemporaryPassword: input.temporaryPassword,
          UserAttributes: toAttributeList(extra),
          DesiredDeliveryMediums: ['EMAIL'],
          ...(input.suppressInvite ? { MessageAction: 'SUPPRESS' as const } : {}),
        }),
      ),
    );
    const user = toDirectoryUser(out.User as UserType);
    if (!user.subject) throw new AdminPortError('PROVIDER_UNAVAILABLE', 'AdminCreateUser returned no sub');
    const { user: row } = await this.identities.ensureRow(user.subject, input.email, { emailVerified: input.emailVerified === true, fullName: input.attributes?.name ?? null });
    return { ...user, userId: row.id };
  }

  async deleteUser(userId: string): Promise<void> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminDeleteUser', () => this.client.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: username })));
  }

  async enableUser(userId: string): Promise<void> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminEnableUser', () => this.client.send(new AdminEnableUserCommand({ UserPoolId: pool.userPoolId, Username: username })));
  }

  /** AdminDisableUser also revokes the user's Cognito tokens (refresh tokens included). */
  async disableUser(userId: string): Promise<void> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminDisableUser', () => this.client.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: username })));
  }

  async signOutEverywhere(userId: string): Promise<void> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminUserGlobalSignOut', () => this.client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.userPoolId, Username: username })));
  }

  /** The current password stops working at Cognito, and Cognito's refresh tokens die. */
  async resetPassword(userId: string, actor: AdminActor): Promise<void> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminResetUserPassword', () => this.client.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username })));
    await this.bestEffortSignOut(pool, username, userId, 'admin_password_reset');
    await this.ladder.record(userId, auditActor(actor), 'admin.password_reset');
  }

  async setPassword(userId: string, password: string, permanent: boolean): Promise<void> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminSetUserPassword', () =>
      this.client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: password, Permanent: permanent })),
    );
    await this.bestEffortSignOut(pool, username, userId, 'admin_set_password');
  }

  async updateAttributes(userId: string, attributes: Record<string, string>): Promise<void> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminUpdateUserAttributes', () =>
      this.client.send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.userPoolId, Username: username, UserAttributes: toAttributeList(attributes) })),
    );
  }

  async getUser(userId: string): Promise<DirectoryUser> {
    const { pool, username } = await this.target(userId);
    const out = await this.call('AdminGetUser', () => this.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username })));
    return { ...toDirectoryUser(out), userId };
  }

  /**
   * AdminGetUser and AdminListGroupsForUser. Cognito's own lockout (after repeated wrong passwords) is not readable
   * through its API: `lock` is null, and Gatehouse's login lockout is reported beside it by the caller.
   */
  async inspectUser(userId: string): Promise<DirectoryUserDetail> {
    const { pool, username } = await this.target(userId);
    const out = await this.call('AdminGetUser', () => this.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username })));
    const groups = await this.listGroups(out.Username ?? username);
    return { ...toDirectoryUser(out), userId, groups, groupRole: roleFor(groups, this.config.auth.roleGroupMap), lock: null };
  }

  /** For Cognito's own event feed (CloudTrail names users by Username): undefined when Cognito no longer has the user. */
  async lookupByUsername(username: string): Promise<DirectoryUser | undefined> {
    const pool = this.pool();
    try {
      return toDirectoryUser(await this.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username })));
    } catch (err) {
      if (isCognitoError(err, 'UserNotFoundException')) return undefined;
      throw adminPortError(err, 'AdminGetUser');
    }
  }

  async listUsers(opts: { limit?: number; cursor?: string; filter?: string } = {}): Promise<DirectoryPage> {
    const pool = this.pool();
    const out = await this.call('ListUsers', () =>
      this.client.send(new ListUsersCommand({ UserPoolId: pool.userPoolId, Limit: Math.min(Math.max(opts.limit ?? 60, 1), 60), PaginationToken: opts.cursor, Filter: opts.filter })),
    );
    return { users: (out.Users ?? []).map(toDirectoryUser), ...(out.PaginationToken ? { nextCursor: out.PaginationToken } : {}) };
  }

  async setMfaPreference(userId: string, pref: MfaPreference): Promise<void> {
    const { pool, username } = await this.target(userId);
    await this.sendMfaPreference(pool, username, pref);
  }

  /**
   * Enables TOTP as the user's preferred factor, so Cognito challenges at every sign-in. Cognito refuses when the user
   * has no verified authenticator (InvalidParameterException): not challenged yet, and Gatehouse's mfa_required flag
   * holds the user at enrolment instead.
   */
  async requireMfa(userId: string): Promise<{ challenged: boolean }> {
    const { pool, username } = await this.target(userId);
    try {
      await this.sendMfaPreference(pool, username, { totp: { enabled: true, preferred: true } });
      return { challenged: true };
    } catch (err) {
      if (err instanceof AdminPortError && err.code === 'INVALID_INPUT') return { challenged: false };
      throw err;
    }
  }

  async addToGroup(userId: string, group: string): Promise<GroupChange> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminAddUserToGroup', () => this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: username, GroupName: group })));
    return { role: roleFor(await this.groupsOf(username), this.config.auth.roleGroupMap) };
  }

  /** Live access tokens still name the removed group in `cognito:groups`: its role is what they may carry. */
  async removeFromGroup(userId: string, group: string): Promise<GroupChange> {
    const { pool, username } = await this.target(userId);
    await this.call('AdminRemoveUserFromGroup', () => this.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: pool.userPoolId, Username: username, GroupName: group })));
    const map = this.config.auth.roleGroupMap;
    return { role: roleFor(await this.groupsOf(username), map), ...(Object.hasOwn(map, group) ? { tokensMayCarry: map[group] } : {}) };
  }

  /**
   * The groups Cognito holds now (AdminListGroupsForUser, paged): the only source a role is taken from. Asked by the
   * user's own Username (from AdminGetUser), not an alias: cognito-local 5.3 matches group members by Username only.
   */
  async groupsOf(name: string): Promise<string[]> {
    const pool = this.pool();
    const user = await this.call('AdminGetUser', () => this.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name })));
    return this.listGroups(user?.Username ?? name);
  }

  /** AdminListGroupsForUser, every page, by the user's own Username. */
  private async listGroups(username: string): Promise<string[]> {
    const pool = this.pool();
    const groups: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call('AdminListGroupsForUser', () =>
        this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: username, Limit: 60, NextToken })),
      );
      for (const g of page.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
      NextToken = page.NextToken;
    } while (NextToken);
    return groups;
  }

  async describeDirectory(): Promise<DirectoryInfo> {
    const pool = this.pool();
    const p = (await this.call('DescribeUserPool', () => this.client.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId })))).UserPool ?? {};
    const pw = p.Policies?.PasswordPolicy;
    return {
      id: p.Id ?? pool.userPoolId,
      name: p.Name,
      mfa: p.MfaConfiguration ? (p.MfaConfiguration.toLowerCase() as DirectoryInfo['mfa']) : undefined,
      usernameAttributes: p.UsernameAttributes,
      autoVerifiedAttributes: p.AutoVerifiedAttributes,
      passwordPolicy: pw
        ? { minLength: pw.MinimumLength, requireUppercase: pw.RequireUppercase, requireLowercase: pw.RequireLowercase, requireNumbers: pw.RequireNumbers, requireSymbols: pw.RequireSymbols }
        : undefined,
      estimatedUsers: p.EstimatedNumberOfUsers,
    };
  }

  async describeClient(): Promise<DirectoryClientInfo> {
    const pool = this.pool();
    const c = (await this.call('DescribeUserPoolClient', () => this.client.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: pool.clientId }))))
      .UserPoolClient ?? {};
    // The secret itself never leaves this function.
    return {
      id: c.ClientId ?? pool.clientId,
      name: c.ClientName,
      authFlows: c.ExplicitAuthFlows ?? [],
      readAttributes: c.ReadAttributes ?? [],
      writeAttributes: c.WriteAttributes ?? [],
      hasSecret: Boolean(c.ClientSecret),
    };
  }

  private pool(): CognitoConfig {
    const pool = this.config.auth.cognito;
    if (!pool) throw new AdminPortError('PROVIDER_UNAVAILABLE', 'Cognito is not configured');
    return pool;
  }

  /** The Cognito user behind a Gatehouse user id: a row of this pool's issuer, its subject as the Username. */
  private async target(userId: string): Promise<{ pool: CognitoConfig; username: string }> {
    const pool = this.pool();
    const row = await this.ladder.findUser(userId);
    if (!row || row.issuer !== pool.issuer || row.authProvider !== 'cognito') throw new AdminPortError('USER_NOT_FOUND', 'no Cognito user with that id');
    return { pool, username: row.subject };
  }

  private async sendMfaPreference(pool: CognitoConfig, username: string, pref: MfaPreference): Promise<void> {
    await this.call('AdminSetUserMFAPreference', () =>
      this.client.send(
        new AdminSetUserMFAPreferenceCommand({
          UserPoolId: pool.userPoolId,
          Username: username,
          ...(pref.totp ? { SoftwareTokenMfaSettings: { Enabled: pref.totp.enabled, PreferredMfa: pref.totp.preferred ?? false } } : {}),
          ...(pref.sms ? { SMSMfaSettings: { Enabled: pref.sms.enabled, PreferredMfa: pref.sms.preferred ?? false } } : {}),
        }),
      ),
    );
  }

  /** After a password change: refresh tokens die at Cognito too. Logged, not fatal: the watermark holds at Gatehouse. */
  private async bestEffortSignOut(pool: CognitoConfig, username: string, userId: string, reason: string): Promise<void> {
    try {
      await this.client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.userPoolId, Username: username }));
    } catch (err) {
      this.log.warn({ userId, err: cognitoErrorName(err) ?? 'Error' }, `AdminUserGlobalSignOut failed after ${reason}; Gatehouse's watermark still refuses old tokens`);
    }
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw adminPortError(err, operation);
    }
  }
}
