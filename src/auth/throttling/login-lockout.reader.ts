import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { canonicalEmail } from '../../common/email';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { addressCounterKey, loginKeys } from './credential-limiter';
import { addressDelayS, type LockoutLimits, lockoutLimits } from './login-lockout';

/**
 * The sign-in lockout of one account as an administrator sees it (read-only): how many failures the address has in
 * its window, how many clients are locked out of it, and until when the next attempt must wait. `locked` is true when
 * any client is locked or the address must rest; the owner may still get in from a client of their own (see
 * login-lockout.ts), which is why the clients are counted apart.
 */
export interface LoginLockState {
  locked: boolean;
  failures: number;
  lockedClients: number;
  lockedUntil: string | null;
}

export const NO_LOCK: LoginLockState = { locked: false, failures: 0, lockedClients: 0, lockedUntil: null };

type Row = Record<string, unknown>;

/** Reads auth.login_failures for one address (the counters CredentialLimiter writes). */
@Injectable()
export class LoginLockoutReader {
  private readonly limits: LockoutLimits;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = lockoutLimits(config.rateLimits);
  }

  async stateOf(user: { email: string | null; passwordResetAt: Date | null }): Promise<LoginLockState> {
    if (!user.email) return NO_LOCK;
    const key = addressCounterKey(loginKeys(canonicalEmail(user.email), user.passwordResetAt, '').address);
    const rows: Row[] = await this.db.query(
      `SELECT (SELECT row_to_json(a) FROM (SELECT failures, last_failure_at FROM auth.login_failures WHERE key = $1 AND window_ends_at > now()) a) AS address,
              (SELECT count(*)::int FROM auth.login_failures WHERE address_key = $1 AND locked_until > now()) AS clients,
              (SELECT max(locked_until) FROM auth.login_failures WHERE address_key = $1 AND locked_until > now()) AS client_until,
              clock_timestamp() AS now`,
      [key],
    );
    const row = rows[0]!;
    const address = row.address as { failures: number; last_failure_at: string } | null;
    const now = (row.now as Date).getTime();
    const failures = address?.failures ?? 0;
    const rest = address ? new Date(address.last_failure_at).getTime() + addressDelayS(failures, this.limits) * 1000 : 0;
    const clientUntil = row.client_until ? (row.client_until as Date).getTime() : 0;
    const until = Math.max(rest, clientUntil);
    const lockedClients = row.clients as number;
    return { locked: until > now, failures, lockedClients, lockedUntil: until > now ? new Date(until).toISOString() : null };
  }
}
