import { AppError } from '../../common/errors/app-error';
import type { ProviderName, Role } from '../../config/config.types';
import type { AuditActor } from '../../users';

/**
 * The provider-side admin operations Gatehouse's admin surface needs, in provider-neutral terms: what happens in the
 * provider's directory (Cognito's pool, the local provider's credentials and mail, nothing for an OIDC issuer). The
 * ladder, the revocation watermark and the audit of Gatehouse's own rows are NOT here: they stay in `users`, and
 * AccountAdministration runs each use case as "port action, then mirror".
 *
 * Users are keyed by their Gatehouse user id (auth.users.id), never by a username or address. Every mutation names the
 * acting admin (audit rows say who). Failures throw AdminPortError (an AppError) with a stable code.
 */
export const AUTH_ADMIN_PORT = Symbol('AUTH_ADMIN_PORT');

/** Who acts: the admin's user id (audit rows record `admin:<id>`) and the request it came with. */
export interface AdminActor {
  userId: string;
  requestId?: string;
}

/** The audit-row actor of an admin action. */
export const auditActor = (actor: AdminActor): AuditActor => `admin:${actor.userId}`;

export const ADMIN_PORT_ERRORS = {
  USER_NOT_FOUND: [404, 'No such user'],
  EMAIL_IN_USE: [409, 'The address belongs to another account'],
  INVALID_INPUT: [400, 'The request cannot be applied to this user'],
  PASSWORD_POLICY: [400, 'The password does not meet the password policy'],
  MFA_NOT_ENROLLED: [409, 'Two-factor authentication is not set up'],
  MFA_REQUIRED_BY_ADMIN: [409, 'Two-factor authentication is required for this account'],
  INVALID_TRANSITION: [409, 'The user’s status does not allow this'],
  NOT_SUPPORTED: [501, 'This operation is not supported by the configured provider'],
  PROVIDER_ACCESS_DENIED: [502, 'The identity provider refused Gatehouse’s credentials for this operation'],
  RATE_LIMITED: [429, 'Too many attempts, try again later'],
  PROVIDER_UNAVAILABLE: [503, 'The identity provider is not reachable'],
} as const satisfies Record<string, readonly [number, string]>;

export type AdminPortErrorCode = keyof typeof ADMIN_PORT_ERRORS;

/** A port failure: a stable code and a fixed client-safe message; the provider's own error name and text in `detail`. */
export class AdminPortError extends AppError {
  constructor(code: AdminPortErrorCode, detail?: string, extra?: Record<string, unknown>) {
    const [status, message] = ADMIN_PORT_ERRORS[code];
    super(code, status, message, detail, extra);
  }
}

export interface DirectoryUser {
  /** The Gatehouse user id, when Gatehouse holds a row for this directory entry. */
  userId?: string;
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

/** The provider's own hold on sign-in, where it keeps one Gatehouse can read (the local provider's tables). */
export interface ProviderLock {
  /** Any client locked out, or the address resting after repeated failures (see auth/throttling/login-lockout.ts). */
  locked: boolean;
  failures: number;
  lockedClients: number;
  lockedUntil: string | null;
  /** The second-factor step locked after too many wrong codes, until then. */
  mfaLockedUntil: string | null;
}

/** One user as the provider sees them, with what only a closer look tells: groups and the provider's sign-in lock. */
export interface DirectoryUserDetail extends DirectoryUser {
  /** The provider's groups (Cognito); null where the provider has none (local: the row holds one role). */
  groups: string[] | null;
  /** The role those groups map to through ROLE_GROUP_MAP; absent without groups. */
  groupRole?: Role;
  /** The provider's sign-in lock; null where the provider keeps its own and does not say (Cognito). */
  lock: ProviderLock | null;
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

export interface CreateUserInput {
  email: string;
  temporaryPassword?: string;
  attributes?: Record<string, string>;
  emailVerified?: boolean;
  suppressInvite?: boolean;
}

/** A group change: the role the user's groups now map to, and the role live tokens may still claim (Cognito). */
export interface GroupChange {
  role: Role;
  tokensMayCarry?: Role;
}

export interface AuthAdminPort {
  readonly provider: ProviderName;
  /**
   * Creates the user in the directory and returns it with its Gatehouse user id (the row is provisioned, at the
   * onboarding step the directory implies). Without `temporaryPassword` the provider generates one and invites the
   * user (unless `suppressInvite`).
   */
  createUser(input: CreateUserInput, actor: AdminActor): Promise<DirectoryUser & { userId: string }>;
  /** Removes the user from the directory (the Gatehouse row is the mirror's to delete). */
  deleteUser(userId: string, actor: AdminActor): Promise<void>;
  enableUser(userId: string, actor: AdminActor): Promise<void>;
  /** Disables sign-in at the provider and ends the provider's sessions (refresh tokens). */
  disableUser(userId: string, actor: AdminActor): Promise<void>;
  /** Ends every provider session of the user (refresh tokens); Gatehouse's watermark is the mirror's. */
  signOutEverywhere(userId: string, actor: AdminActor): Promise<void>;
  /** The current password stops working; the user must choose a new one through the provider's reset flow. */
  resetPassword(userId: string, actor: AdminActor): Promise<void>;
  /** Sets a password; `permanent=false` makes the user change it at next sign-in. */
  setPassword(userId: string, password: string, permanent: boolean, actor: AdminActor): Promise<void>;
  updateAttributes(userId: string, attributes: Record<string, string>, actor: AdminActor): Promise<void>;
  getUser(userId: string): Promise<DirectoryUser>;
  /** getUser plus groups and the provider's sign-in lock (more calls: for one user's admin page and diagnosis). */
  inspectUser(userId: string): Promise<DirectoryUserDetail>;
  listUsers(opts?: { limit?: number; cursor?: string; filter?: string }): Promise<DirectoryPage>;
  setMfaPreference(userId: string, pref: MfaPreference, actor: AdminActor): Promise<void>;
  /**
   * Makes the provider challenge for the user's enrolled authenticator at every sign-in. `challenged: false` when the
   * user has no authenticator yet (Gatehouse's mfa_required flag then holds them at enrolment).
   */
  requireMfa(userId: string, actor: AdminActor): Promise<{ challenged: boolean }>;
  addToGroup(userId: string, group: string, actor: AdminActor): Promise<GroupChange>;
  removeFromGroup(userId: string, group: string, actor: AdminActor): Promise<GroupChange>;
  describeDirectory(): Promise<DirectoryInfo>;
  describeClient(): Promise<DirectoryClientInfo>;
}
