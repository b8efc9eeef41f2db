import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitedError } from '../../common/errors/app-error';

/** Name of the per-IP throttler on credential endpoints (see AuthModule). */
export const CREDENTIALS_THROTTLER = 'credentials';

/** @nestjs/throttler's per-IP guard, answering with Gatehouse's error shape (RATE_LIMITED + Retry-After). */
@Injectable()
export class CredentialThrottlerGuard extends ThrottlerGuard {
  // The global filter turns retryAfterS into the Retry-After header.
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedError(Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire)));
  }
}
