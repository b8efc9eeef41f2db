/**
 * The provider-side admin operations Gatehouse's admin surface needs, in provider-neutral terms. Each provider that
 * keeps its own user directory (Cognito today) implements it; the admin module depends on this port only.
 *
 * Every operation resolves to a result instead of throwing, so the admin handler decides what to show: `reason` is a
 * stable, client-safe word; `error` carries the provider's own name and text for the log only.
 */
export const AUTH_ADMIN_PORT = Symbol('AUTH_ADMIN_PORT');

export type AdminFailureReason =
  | 'not_configured'
  | 'not_found'
  | 'already_exists'
  | 'invalid_input'
  | 'password_policy'
  | 'mfa_not_enrolled'
  | 'not_supported'
  | 'forbidden'
  | 'rate_limited'
  | 'unavailable';

export type AdminResult<T> = { ok: true; data: T } | { ok: false; reason: AdminFailureReason; error?: { name: string; message: string } };

export interface DirectoryUser {
  /** The provider's username (Cognito: the sub when email is the username attribute). */
  username: string;
  /** Stable subject, the `sub` claim. */
  subject?: string;
  email?: string;
  emailVerified?: boolean;
  enabled?: boolean;
  /** Provider status word, e.g. CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD. */
  status?: string;
  attributes: Record<string, string>;
  /** Enabled second factors: 'totp', 'sms'. */
  mfa?: Array<'totp' | 'sms'>;
  preferredMfa?: 'totp' | 'sms';
  createdAt?: Date;
  updatedAt?: Date;
}

export interface DirectoryPage {
  users: DirectoryUser[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface DirectoryInfo {
  id: string;
  name?: string;
  mfa?: 'off' | 'optional' | 'on';
  usernameAttributes?: string[];
  autoVerifiedAttributes?: string[];
  passwordPolicy?: { minLength?: number; requireUppercase?: boolean; requireLowercase?: boolean; requireNumbers?: boolean; requireSymbols?: boolean };
  estimatedUsers?: number;
}

export interface DirectoryClientInfo {
  id: string;
  name?: string;
  authFlows: string[];
  readAttributes: string[];
  writeAttributes: string[];
  hasSecret: boolean;
}

export interface MfaPreference {
  totp?: { enabled: boolean; preferred?: boolean };
  sms?: { enabled: boolean; preferred?: boolean };
}

export interface AuthAdminPort {
  /** Creates a user. Without `temporaryPassword` the provider generates one and invites the user (unless `suppressInvite`). */
  createUser(input: { email: string; temporaryPassword?: string; attributes?: Record<string, string>; emailVerified?: boolean; suppressInvite?: boolean }): Promise<AdminResult<DirectoryUser>>;
  deleteUser(username: string): Promise<AdminResult<void>>;
  enableUser(username: string): Promise<AdminResult<void>>;
  disableUser(username: string): Promise<AdminResult<void>>;
  /** The user must choose a new password through the provider's reset flow. */
  resetPassword(username: string): Promise<AdminResult<void>>;
  /** Sets a password; `permanent=false` makes the user change it at next sign-in. */
  setPassword(username: string, password: string, permanent: boolean): Promise<AdminResult<void>>;
  updateAttributes(username: string, attributes: Record<string, string>): Promise<AdminResult<void>>;
  getUser(username: string): Promise<AdminResult<DirectoryUser>>;
  listUsers(opts?: { limit?: number; cursor?: string; filter?: string }): Promise<AdminResult<DirectoryPage>>;
  setMfaPreference(username: string, pref: MfaPreference): Promise<AdminResult<void>>;
  /** Makes the provider challenge for the user's enrolled authenticator at every sign-in. */
  requireMfa(username: string): Promise<AdminResult<void>>;
  addToGroup(username: string, group: string): Promise<AdminResult<void>>;
  removeFromGroup(username: string, group: string): Promise<AdminResult<void>>;
  describeDirectory(): Promise<AdminResult<DirectoryInfo>>;
  describeClient(): Promise<AdminResult<DirectoryClientInfo>>;
}
