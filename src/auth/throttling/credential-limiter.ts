import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RateLimitedError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { FailureCount, LockoutLimits, lockoutLimits, retryAfterS, worthAlerting } from './login-lockout';

/** One named budget: `limit` hits per `windowS`, then blocked for `blockS`. */
export interface Budget {
  name: string;
  limit: number;
  windowS: number;
  blockS: number;
}

/** Mailing budgets are silent (the answer stays 202): they stop mail bombing, not the caller. */
export const MAIL_BUDGET: Omit<Budget, 'name'> = { limit: 5, windowS: 3600, blockS: 3600 };
/** Enrolment and recovery-code checks per user: a stolen access token must not brute-force six digits. */
export const MFA_BUDGET: Omit<Budget, 'name'> = { limit: 10, windowS: 900, blockS: 900 };
/**
 * Failed second factors per user across every session (each password step opens a new challenge): past it the MFA
 * step is locked until the oldest counted failure is older than the window, the right code included.
 */
export const MFA_FAILURE_BUDGET: Omit<Budget, 'name'> = { limit: 10, windowS: 900, blockS: 900 };

/** The sign-in counters of one attempt: the address alone, and the address from this client. */
export interface LoginKeys {
  address: string;
  client: string;
}

/**
 * The counters' keys for a sign-in to `email`: keyed by the last password reset too (its "generation"), so a reset
 * or an administrator's new password lifts the counts.
 */
export function loginKeys(email: string, passwordResetAt: Date | null | undefined, ip: string): LoginKeys {
  const address = `${email}:${passwordResetAt?.getTime() ?? 0}`;
  return { address, client: `${address}:${ip}` };
}

/** The stored key of an address counter (the client counters name it in `address_key`). */
export const addressCounterKey = (address: string): string => `a:${hashed(address)}`;

type Row = Record<string, unknown>;
const NO_LOCK = 2_147_483_647;

/**
 * Per-account (and other per-key) limits over the throttler's storage, so they are shared by every instance when
 * REDIS_URL is set. Keys are hashed: addresses do not sit in Redis in clear.
 *
 * Sign-in failures are counted in Postgres instead (auth.login_failures; rules in login-lockout.ts): only failures
 * count and a success clears its client's count, which needs reading and clearing that the throttler's
 * increment-only storage does not offer. Every instance shares the database, so they share these counts too.
 */
@Injectable()
export class CredentialLimiter {
  private readonly lockout: LockoutLimits;

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    this.lockout = lockoutLimits(config.rateLimits);
  }

  /** Counts one hit; throws RATE_LIMITED (429 with Retry-After) once the budget is spent. */
  async consume(budget: Budget, key: string): Promise<void> {
    const retryAfter = await this.hit(budget, key);
    if (retryAfter > 0) throw new RateLimitedError(retryAfter);
  }

  /** Counts one hit; answers the seconds to wait (0 when allowed). */
  async hit(budget: Budget, key: string): Promise<number> {
    const r = await this.storage.increment(`${budget.name}:${hashed(key)}`, budget.windowS * 1000, budget.limit, budget.blockS * 1000, budget.name);
    return r.isBlocked ? Math.max(1, Math.ceil(r.timeToBlockExpire)) : 0;
  }

  /** Before a sign-in attempt: throws RATE_LIMITED while this client is locked out or the address must rest. */
  async loginGate(keys: LoginKeys): Promise<void> {
    const rows: Row[] = await this.db.query(
      `SELECT key, failures, last_failure_at, locked_until, clock_timestamp() AS now FROM auth.login_failures
        WHERE key = ANY($1) AND (window_ends_at > now() OR locked_until > now())`,
      [[`c:${hashed(keys.client)}`, `a:${hashed(keys.address)}`]],
    );
    const find = (prefix: string) => failureCount(rows.find((r) => (r.key as string).startsWith(prefix)));
    const now = (rows[0]?.now as Date | undefined) ?? new Date();
    const wait = retryAfterS(find('c:'), find('a:'), this.lockout, now);
    if (wait > 0) throw new RateLimitedError(wait);
  }

  /** Counts a failed sign-in for the client and the address; true once per window, when the owner should be told. */
  async loginFailed(keys: LoginKeys): Promise<boolean> {
    const addressKey = addressCounterKey(keys.address);
    const client = await this.countFailure(`c:${hashed(keys.client)}`, this.lockout.clientMax, addressKey);
    const address = await this.countFailure(addressKey, NO_LOCK, null);
    if (Math.random() < 0.01) await this.db.query(`DELETE FROM auth.login_failures WHERE window_ends_at < now() - interval '1 day' AND (locked_until IS NULL OR locked_until < now())`);
    if (!worthAlerting(client, address, this.lockout)) return false;
    const rows: Row[] = await this.db.query(`UPDATE auth.login_failures SET notified_at = now() WHERE key = $1 AND notified_at IS NULL RETURNING key`, [addressKey]);
    return rowCount(rows) === 1;
  }

  /**
   * A sign-in got past the password: the owner is here, so the counts start again (an attacker gains at most another
   * slow-down threshold of guesses per success of the owner, each client still under its own lock).
   */
  async loginSucceeded(keys: LoginKeys): Promise<void> {
    await this.db.query(`DELETE FROM auth.login_failures WHERE key = ANY($1)`, [[`c:${hashed(keys.client)}`, `a:${hashed(keys.address)}`]]);
  }

  /** One atomic upsert: a new window after the old one (or a served lock) ends; a lock once `lockAt` is reached. */
  private async countFailure(key: string, lockAt: number, addressKey: string | null): Promise<FailureCount> {
    const restart = `(f.window_ends_at <= now() OR f.locked_until <= now())`;
    const count = `(CASE WHEN ${restart} THEN 1 ELSE f.failures + 1 END)`;
    const rows: Row[] = await this.db.query(
      `INSERT INTO auth.login_failures AS f (key, failures, window_ends_at, last_failure_at, locked_until, address_key)
       VALUES ($1, 1, now() + make_interval(secs => $2), clock_timestamp(), CASE WHEN 1 >= $3 THEN now() + make_interval(secs => $4) END, $5)
       ON CONFLICT (key) DO UPDATE SET
         failures = ${count},
         window_ends_at = CASE WHEN ${restart} THEN now() + make_interval(secs => $2) ELSE f.window_ends_at END,
         notified_at = CASE WHEN ${restart} THEN NULL ELSE f.notified_at END,
         last_failure_at = clock_timestamp(),
         locked_until = CASE WHEN ${count} >= $3 THEN now() + make_interval(secs => $4) WHEN ${restart} THEN NULL ELSE f.locked_until END
       RETURNING failures, last_failure_at, locked_until`,
      [key, this.lockout.windowS, lockAt, this.lockout.lockoutS, addressKey],
    );
    return failureCount(rows[0])!;
  }
}

export function hashed(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 32);
}

function failureCount(r: Row | undefined): FailureCount | null {
  return r ? { failures: Number(r.failures), lastFailureAt: r.last_failure_at as Date, lockedUntil: (r.locked_until as Date | null) ?? null } : null;
}

/** TypeORM's Postgres driver answers UPDATE … RETURNING with `[rows, rowCount]`. */
function rowCount(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0].length;
  return Array.isArray(result) ? result.length : 0;
}
