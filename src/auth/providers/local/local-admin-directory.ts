import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import type { UserEntity } from '../../../users';
import { AccountLadder } from '../../account-ladder';
import { LOCAL_USER_ISSUER } from '../../tokens/key-source';
import { AdminPortError, type AdminPortErrorCode, type DirectoryInfo, type DirectoryPage, type DirectoryUser, type DirectoryUserDetail } from '../admin-port';
import { decodeCursor, emailPrefixFilter, encodeCursor, pageLimit, passwordPolicyViolation, toDirectoryUser } from './local-directory';
import { LocalDirectoryRepository } from './local-directory.repository';
import { LOCAL_LIMITS } from './local-limits';
import { LocalUserInspection } from './local-user-inspection';

/** Refuses an admin-port call with one of the port's stable codes. */
export const refuse = (code: AdminPortErrorCode, detail: string): never => {
  throw new AdminPortError(code, detail);
};

/** The admin port's answer to a password the policy refuses (the same policy as sign-up and reset). */
export function checkAdminPassword(password: string, email: string, minLength: number): void {
  const violation = passwordPolicyViolation(password, email, minLength, LOCAL_LIMITS.maxPasswordLength);
  if (violation) refuse('PASSWORD_POLICY', violation);
}

/**
 * The admin port's reads of the local directory (LocalAdmin's getUser, inspectUser, listUsers, describeDirectory), and
 * the lookup every admin action starts from: only local users (local issuer and provider) are visible.
 */
@Injectable()
export class LocalAdminDirectory {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: LocalDirectoryRepository,
    private readonly ladder: AccountLadder,
    private readonly inspection: LocalUserInspection,
  ) {}

  /** The local user with that Gatehouse id, or USER_NOT_FOUND. */
  async find(userId: string): Promise<UserEntity> {
    const user = await this.ladder.findUser(userId);
    if (!user || user.issuer !== LOCAL_USER_ISSUER || user.authProvider !== 'local') return refuse('USER_NOT_FOUND', 'no local user with that id');
    return user;
  }

  /** The port's view of a local user with credentials, or USER_NOT_FOUND. */
  async entry(userId: string): Promise<DirectoryUser> {
    const row = (await this.directory.directoryEntry(userId)) ?? refuse('USER_NOT_FOUND', 'no local user with credentials');
    return toDirectoryUser(row);
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
    const rows = await this.directory.directoryPage({ limit: limit + 1, after, emailPrefix: emailPrefixFilter(opts.filter) });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { users: page.map(toDirectoryUser), ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
  }

  async describeDirectory(): Promise<DirectoryInfo> {
    return {
      id: 'local',
      name: 'Gatehouse local users',
      mfa: 'optional' as const,
      usernameAttributes: ['email'],
      passwordPolicy: { minLength: this.config.auth.local.passwordMinLength },
      estimatedUsers: await this.directory.countDirectory(),
    };
  }
}
