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
  AttributeType,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../../config/config.types';
import { AccountMirror } from '../../../users/account-mirror.service';
import type { UserEntity } from '../../../users/user.entity';
import { UsersService } from '../../../users/users.service';
import { roleFor } from '../../tokens/role-mapping';
import type {
  AdminFailureReason,
  AdminResult,
  AuthAdminPort,
  DirectoryClientInfo,
  DirectoryInfo,
  DirectoryPage,
  DirectoryUser,
  MfaPreference,
} from '../admin-port';
import { COGNITO_CLIENT } from './cognito-client.factory';
import { cognitoErrorName } from './cognito-errors';

/** The port's signature names no caller, so audit rows written here say they came through the port (as local's do). */
const ACTOR = 'admin:port';

/** AWS error name → the admin port's reason. Anything else (network, unknown, emulator gaps) is `unavailable`. */
const ADMIN_REASONS: Readonly<Record<string, AdminFailureReason>> = {
  UserNotFoundException: 'not_found',
  ResourceNotFoundException: 'not_found',
  UsernameExistsException: 'already_exists',
  AliasExistsException: 'already_exists',
  InvalidParameterException: 'invalid_input',
  InvalidPasswordException: 'password_policy',
  NotAuthorizedException: 'forbidden',
  AccessDeniedException: 'forbidden',
  LimitExceededException: 'rate_limited',
  TooManyRequestsException: 'rate_limited',
  UnsupportedUserStateException: 'invalid_input',
  // cognito-local's answer (`__type: CognitoLocal#Unsupported`, HTTP 500) for operations it lacks; real Cognito never sends it.
  Unsupported: 'not_supported',
};

export function adminFailureReason(err: unknown): AdminFailureReason {
  const name = cognitoErrorName(err);
  return name !== undefined && Object.hasOwn(ADMIN_REASONS, name) ? ADMIN_REASONS[name] : 'unavailable';
}

const attrs = (list: AttributeType[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).filter((a) => a.Name !== undefined).map((a) => [a.Name as string, a.Value ?? '']));
const toAttributeList = (record: Record<string, string>): AttributeType[] => Object.entries(record).map(([Name, Value]) => ({ Name, Value }));
const MFA_NAMES: Record<string, 'totp' | 'sms'> = { SOFTWARE_TOKEN_MFA: 'totp', SMS_MFA: 'sms' };

function toDirectoryUser(u: {
  Username?: string;
  Attributes?: AttributeType[];
  UserAttributes?: AttributeType[];
  Enabled?: boolean;
  UserStatus?: string;
  UserCreateDate?: Date;
  UserLastModifiedDate?: Date;
  UserMFASettingList?: string[];
  PreferredMfaSetting?: string;
}): DirectoryUser {
  const a = attrs(u.Attributes ?? u.UserAttributes);
  return {
    username: u.Username ?? '',
    subject: a.sub,
    email: a.email,
    emailVerified: a.email_verified === undefined ? undefined : a.email_verified === 'true',
    enabled: u.Enabled,
    status: u.UserStatus,
    attributes: a,
    mfa: u.UserMFASettingList?.map((m) => MFA_NAMES[m]).filter((m): m is 'totp' | 'sms' => m !== undefined),
    preferredMfa: u.PreferredMfaSetting ? MFA_NAMES[u.PreferredMfaSetting] : undefined,
    createdAt: u.UserCreateDate,
    updatedAt: u.UserLastModifiedDate,
  };
}

/**
 * Cognito's admin API behind the provider-neutral AuthAdminPort. Needs IAM credentials with the cognito-idp:Admin*
 * actions on the pool (see .env.example); results, not exceptions, so the admin handler decides what to surface.
 */
@Injectable()
export class CognitoAdmin implements AuthAdminPort {
  private readonly log = new Logger(CognitoAdmin.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
    private readonly users: UsersService,
    private readonly mirror: AccountMirror,
  ) {}

  createUser(input: { email: string; temporaryPassword?: string; attributes?: Record<string, string>; emailVerified?: boolean; suppressInvite?: boolean }) {
    return this.run(async (pool) => {
      const extra = { email: input.email, ...(input.emailVerified ? { email_verified: 'true' } : {}), ...(input.attributes ?? {}) };
      const out = await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: pool.userPoolId,
          Username: input.email,
          TemporaryPassword: input.temporaryPassword,
          UserAttributes: toAttributeList(extra),
          DesiredDeliveryMediums: ['EMAIL'],
          ...(input.suppressInvite ? { MessageAction: 'SUPPRESS' as const } : {}),
        }),
      );
      return toDirectoryUser(out.User as UserType);
    });
  }

  /**
   * Each operator action below first changes Cognito, then mirrors into auth.users through AccountMirror (the same
   * ladder move, watermark and audit rows as the local admin port), so the user's live tokens stop working now
   * rather than when they expire. When the Cognito call fails nothing local changes. A Cognito user who never signed
   * in through Gatehouse has no row: there is nothing to mirror.
   */
  deleteUser(username: string) {
    return this.run(async (pool) => {
      const row = await this.row(pool, username);
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
      if (row) await this.mirror.remove(row.id, ACTOR, 'admin.user_deleted', { subject: row.subject });
    });
  }

  enableUser(username: string) {
    return this.run(async (pool) => {
      const row = await this.row(pool, username);
      await this.client.send(new AdminEnableUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
      if (row) this.logRefusal(await this.mirror.enable(row.id, ACTOR, { via: 'admin_port' }), row, 'ENABLED');
    });
  }

  disableUser(username: string) {
    return this.run(async (pool) => {
      const row = await this.row(pool, username);
      // Cognito's AdminDisableUser also revokes the user's Cognito tokens; the ladder's DISABLED sets Gatehouse's watermark.
      await this.client.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
      if (row) this.logRefusal(await this.mirror.disable(row.id, ACTOR, { via: 'admin_port' }), row, 'DISABLED');
    });
  }

  /** The current password stops working at Cognito; every session ends (Cognito's refresh tokens and Gatehouse's watermark). */
  resetPassword(username: string) {
    return this.run(async (pool) => {
      const row = await this.row(pool, username);
      await this.client.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username }));
      await this.signOutEverywhere(pool, username, row, 'admin_password_reset');
      if (row) await this.users.recordEvent({ userId: row.id, actor: ACTOR, type: 'admin.password_reset' });
    });
  }

  setPassword(username: string, password: string, permanent: boolean) {
    return this.run(async (pool) => {
      const row = await this.row(pool, username);
      await this.client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: password, Permanent: permanent }));
      await this.signOutEverywhere(pool, username, row, 'admin_set_password');
      if (row) await this.users.updateProfile(row.id, { passwordResetAt: new Date() }, { actor: ACTOR, type: 'admin.password_set', detail: { permanent } });
    });
  }

  updateAttributes(username: string, attributes: Record<string, string>) {
    return this.run(
      async (pool) =>
        void (await this.client.send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.userPoolId, Username: username, UserAttributes: toAttributeList(attributes) }))),
    );
  }

  getUser(username: string) {
    return this.run(async (pool) => toDirectoryUser(await this.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }))));
  }

  listUsers(opts: { limit?: number; cursor?: string; filter?: string } = {}): Promise<AdminResult<DirectoryPage>> {
    return this.run(async (pool) => {
      const out = await this.client.send(
        new ListUsersCommand({ UserPoolId: pool.userPoolId, Limit: Math.min(Math.max(opts.limit ?? 60, 1), 60), PaginationToken: opts.cursor, Filter: opts.filter }),
      );
      return { users: (out.Users ?? []).map(toDirectoryUser), ...(out.PaginationToken ? { nextCursor: out.PaginationToken } : {}) };
    });
  }

  setMfaPreference(username: string, pref: MfaPreference) {
    return this.run(
      async (pool) =>
        void (await this.client.send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId: pool.userPoolId,
            Username: username,
            ...(pref.totp ? { SoftwareTokenMfaSettings: { Enabled: pref.totp.enabled, PreferredMfa: pref.totp.preferred ?? false } } : {}),
            ...(pref.sms ? { SMSMfaSettings: { Enabled: pref.sms.enabled, PreferredMfa: pref.sms.preferred ?? false } } : {}),
          }),
        )),
    );
  }

  /**
   * Enables TOTP as the user's preferred factor, so Cognito challenges at every sign-in. Cognito refuses when the user
   * has no verified authenticator (InvalidParameterException): that is `mfa_not_enrolled`, and the admin flow should
   * then set auth.users.mfa_required so Gatehouse holds the user at enrolment instead.
   */
  async requireMfa(username: string): Promise<AdminResult<void>> {
    const result = await this.setMfaPreference(username, { totp: { enabled: true, preferred: true } });
    if (!result.ok && result.reason === 'invalid_input') return { ...result, reason: 'mfa_not_enrolled' };
    return result;
  }

  addToGroup(username: string, group: string) {
    return this.run(async (pool) => {
      const row = await this.row(pool, username);
      await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: username, GroupName: group }));
      if (row) await this.syncRole(pool, username, row, 'admin.group_added', group);
    });
  }

  /** A lost role also sets the watermark: the user's live access tokens still name the group in `cognito:groups`. */
  removeFromGroup(username: string, group: string) {
    return this.run(async (pool) => {
      const row = await this.row(pool, username);
      await this.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: pool.userPoolId, Username: username, GroupName: group }));
      if (row) await this.syncRole(pool, username, row, 'admin.group_removed', group);
    });
  }

  /** The groups Cognito holds now (AdminListGroupsForUser, paged): the only source a role is taken from. */
  async groupsOf(username: string): Promise<AdminResult<string[]>> {
    return this.run((pool) => this.listGroups(pool, username));
  }

  describeDirectory(): Promise<AdminResult<DirectoryInfo>> {
    return this.run(async (pool) => {
      const p = (await this.client.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }))).UserPool ?? {};
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
    });
  }

  describeClient(): Promise<AdminResult<DirectoryClientInfo>> {
    return this.run(async (pool) => {
      const c = (await this.client.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: pool.clientId }))).UserPoolClient ?? {};
      // The secret itself never leaves this function.
      return {
        id: c.ClientId ?? pool.clientId,
        name: c.ClientName,
        authFlows: c.ExplicitAuthFlows ?? [],
        readAttributes: c.ReadAttributes ?? [],
        writeAttributes: c.WriteAttributes ?? [],
        hasSecret: Boolean(c.ClientSecret),
      };
    });
  }

  /** The Gatehouse row of a Cognito user, by (issuer, sub) read from Cognito: never by address. */
  private async row(pool: CognitoConfig, username: string): Promise<UserEntity | null> {
    const user = await this.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
    const sub = attrs(user?.UserAttributes).sub ?? user?.Username;
    return sub ? this.users.findByIssuerSubject(pool.issuer, sub) : null;
  }

  /**
   * AdminListGroupsForUser, paged. Asked by the user's own Username (from AdminGetUser), not an alias such as the
   * address: real Cognito accepts either, cognito-local 5.3 matches group members by the exact Username only.
   */
  private async listGroups(pool: CognitoConfig, name: string): Promise<string[]> {
    const user = await this.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: name }));
    const username = user?.Username ?? name;
    const groups: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: username, Limit: 60, NextToken }));
      for (const g of page.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
      NextToken = page.NextToken;
    } while (NextToken);
    return groups;
  }

  /**
   * Re-reads the groups and records the role they map to. Cognito roles live in the tokens (`cognito:groups`), not in
   * the row, so after a removal the user's live tokens may still carry the removed group's role: AccountMirror
   * revokes them when that role is stronger than what remains.
   */
  private async syncRole(pool: CognitoConfig, username: string, row: UserEntity, type: string, group: string): Promise<void> {
    const map = this.config.auth.roleGroupMap;
    const role = roleFor(await this.listGroups(pool, username), map);
    const removed = type === 'admin.group_removed' && Object.hasOwn(map, group) ? map[group] : undefined;
    await this.mirror.setRole(row.id, role, ACTOR, type, { group }, removed);
  }

  /**
   * Ends every session: Gatehouse's watermark first (that alone refuses the user's tokens here), then Cognito's
   * AdminUserGlobalSignOut so refresh tokens die at Cognito too. A failed sign-out is logged, not fatal: the
   * watermark already holds at Gatehouse.
   */
  private async signOutEverywhere(pool: CognitoConfig, username: string, row: UserEntity | null, reason: string): Promise<void> {
    if (row) await this.mirror.revoke(row.id, ACTOR, reason);
    try {
      await this.client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.userPoolId, Username: username }));
    } catch (err) {
      this.log.warn({ userId: row?.id, err: cognitoErrorName(err) ?? 'Error' }, `AdminUserGlobalSignOut failed after ${reason}; Gatehouse's watermark still refuses old tokens`);
    }
  }

  private logRefusal(outcome: Awaited<ReturnType<AccountMirror['disable']>>, row: UserEntity, event: string): void {
    // Cognito has already changed: the ladder refusing (e.g. ENABLED for a suspended user) is logged, not undone.
    if (!outcome.done) this.log.warn({ userId: row.id, status: outcome.status }, `${event} not mirrored: the ladder does not allow it from this status`);
  }

  private async run<T>(fn: (pool: CognitoConfig) => Promise<T>): Promise<AdminResult<T>> {
    const pool = this.config.auth.cognito;
    if (!pool) return { ok: false, reason: 'not_configured' };
    try {
      return { ok: true, data: await fn(pool) };
    } catch (err) {
      const name = cognitoErrorName(err) ?? 'Error';
      return { ok: false, reason: adminFailureReason(err), error: { name, message: err instanceof Error ? err.message : String(err) } };
    }
  }
}
