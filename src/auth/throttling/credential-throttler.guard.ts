import { applyDecorators, ExecutionContext, Injectable } from '@nestjs/common';
import { normalizeIp, SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RateLimitedError } from '../../common/errors/app-error';
import { clientAddress } from '../../common/http/client-address';

/** One per-IP budget shared by every route of the controllers this guard covers (RATE_LIMIT_AUTH_PER_MINUTE). */
export const CREDENTIALS_THROTTLER = 'credentials';
/** A tighter per-IP budget per route, only on routes marked @SensitiveCredentialRoute (RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE). */
export const SENSITIVE_ROUTE_THROTTLER = 'credentials-route';

/** On a controller: the per-route budget is off unless a route asks for it. */
export const NoSensitiveBudget = (): ClassDecorator & MethodDecorator => SkipThrottle({ [SENSITIVE_ROUTE_THROTTLER]: true });
/** On a route (login, register, password/*, mfa/challenge): its own tighter budget, on top of the shared one. */
export const SensitiveCredentialRoute = (): MethodDecorator => applyDecorators(SkipThrottle({ [SENSITIVE_ROUTE_THROTTLER]: false }));

/**
 * @nestjs/throttler's per-IP guard, keyed on the one client address (TRUST_PROXY decides it) and answering with
 * Gatehouse's error shape (RATE_LIMITED + Retry-After). The stock key includes the route, which made the "per IP
 * across /auth" budget one budget per route: the shared throttler's key here is the client alone.
 */
@Injectable()
export class CredentialThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(normalizeIp(clientAddress(req as unknown as IncomingMessage & { ip?: string }), this.ipv6SubnetPrefix));
  }

  protected override generateKey(context: ExecutionContext, tracker: string, name: string): string {
    const scope = name === CREDENTIALS_THROTTLER ? name : `${name}:${context.getClass().name}.${context.getHandler().name}`;
    return createHash('sha256').update(`${scope}:${tracker}`).digest('hex');
  }

  // The global filter turns retryAfterS into the Retry-After header.
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedError(Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire)));
  }
}
