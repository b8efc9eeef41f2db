import { Injectable } from '@nestjs/common';
import type { UserEntity } from '../../../users';
import { MFA_FAILURE_BUDGET } from '../../throttling/credential-limiter';
import { LoginLockoutReader } from '../../throttling/login-lockout.reader';
import type { DirectoryUser, DirectoryUserDetail, ProviderLock } from '../admin-port';
import { LocalSessionStore } from './local-session.store';

/**
 * The local provider's closer look at one user for LocalAdmin.inspectUser: its sign-in lock lives in Gatehouse's own
 * tables (the login counters, and the wrong-second-factor budget read from the audit trail, as sign-in reads it).
 * The local provider has no groups: the row holds one role.
 */
@Injectable()
export class LocalUserInspection {
  constructor(
    private readonly lockout: LoginLockoutReader,
    private readonly store: LocalSessionStore,
  ) {}

  async detail(user: UserEntity, entry: DirectoryUser): Promise<DirectoryUserDetail> {
    return { ...entry, groups: null, lock: await this.lockOf(user) };
  }

  private async lockOf(user: UserEntity): Promise<ProviderLock> {
    const login = await this.lockout.stateOf(user);
    const mfa = await this.store.recentMfaFailures(user.id, MFA_FAILURE_BUDGET.windowS, MFA_FAILURE_BUDGET.limit);
    const mfaLockedUntil = mfa.count >= MFA_FAILURE_BUDGET.limit ? new Date(Date.now() + mfa.retryAfterS * 1000).toISOString() : null;
    return { ...login, mfaLockedUntil };
  }
}
