import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { RateLimitedError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';

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

/**
 * Per-account (and other per-key) limits over the throttler's storage, so they are shared by every instance when
 * REDIS_URL is set. Keys are hashed: addresses do not sit in Redis in clear.
 */
@Injectable()
export class CredentialLimiter {
  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sign-in attempts per address; `generation` changes when the password is reset, which lifts a lockout. */
  loginBudget(): Budget {
    const r = this.config.rateLimits;
    return { name: 'login-account', limit: r.loginMaxAttempts, windowS: r.loginWindowS, blockS: r.loginLockoutS };
  }

  /** Counts one hit; throws RATE_LIMITED (429 with Retry-After) once the budget is spent. */
  async consume(budget: Budget, key: string): Promise<void> {
    const retryAfterS = await this.hit(budget, key);
    if (retryAfterS > 0) throw new RateLimitedError(retryAfterS);
  }

  /** Counts one hit; answers the seconds to wait (0 when allowed). */
  async hit(budget: Budget, key: string): Promise<number> {
    const hashed = createHash('sha256').update(key).digest('base64url').slice(0, 32);
    const r = await this.storage.increment(`${budget.name}:${hashed}`, budget.windowS * 1000, budget.limit, budget.blockS * 1000, budget.name);
    return r.isBlocked ? Math.max(1, Math.ceil(r.timeToBlockExpire)) : 0;
  }
}
