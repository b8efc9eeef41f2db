import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AttributeType,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../../config/config.types';
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
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
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

  deleteUser(username: string) {
    return this.run(async (pool) => void (await this.client.send(new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: username }))));
  }

  enableUser(username: string) {
    return this.run(async (pool) => void (await this.client.send(new AdminEnableUserCommand({ UserPoolId: pool.userPoolId, Username: username }))));
  }

  disableUser(username: string) {
    return this.run(async (pool) => void (await this.client.send(new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: username }))));
  }

  resetPassword(username: string) {
    return this.run(async (pool) => void (await this.client.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username }))));
  }

  setPassword(username: string, password: string, permanent: boolean) {
    return this.run(
      async (pool) => void (await this.client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: password, Permanent: permanent }))),
    );
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
    return this.run(
      async (pool) => void (await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: username, GroupName: group }))),
    );
  }

  removeFromGroup(username: string, group: string) {
    return this.run(
      async (pool) => void (await this.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: pool.userPoolId, Username: username, GroupName: group }))),
    );
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
