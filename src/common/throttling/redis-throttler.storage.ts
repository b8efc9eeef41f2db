import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { ServiceUnavailableError } from '../errors/app-error';

/** The throttler's record, in seconds like @nestjs/throttler's own in-memory storage. */
export interface ThrottleRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * One round trip, atomic: counts a hit in a window that starts with the first hit, and once the count passes the
 * limit sets a separate block key with its own lifetime (the count restarts after the block, as in memory).
 * KEYS: hits, block. ARGV: window ms, limit, block ms.
 */
const SCRIPT = `
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockTtl}
end
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

const PREFIX = 'gatehouse:throttle:';

/**
 * @nestjs/throttler storage in Redis, so limits hold across every instance (in memory, each instance would grant
 * its own budget and N instances would multiply it by N).
 *
 * Fails closed: when Redis does not answer, credential endpoints answer 503 RATE_LIMIT_UNAVAILABLE rather than
 * allowing unlimited password or code guessing.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly log = new Logger(RedisThrottlerStorage.name);
  private readonly redis: Redis;

  constructor(url: string) {
    // Commands issued while (re)connecting wait in the offline queue, but never longer than commandTimeout: a dead
    // Redis costs a request 1.5 s and a 503, not a hang.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 1_500, disconnectTimeout: 200 });
    // ioredis reconnects by itself (and an error without a listener would be an unhandled event). One line when Redis
    // goes away and one when it is back, not one per reconnect attempt.
    let down = false;
    this.redis.on('error', (err: Error) => {
      if (down) return;
      down = true;
      this.log.warn({ err: err.message }, 'redis (rate limits) unreachable: credential endpoints answer 503 until it is back');
    });
    this.redis.on('ready', () => {
      if (!down) return;
      down = false;
      this.log.log('redis (rate limits) reachable again');
    });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottleRecord> {
    // One hash tag for both keys: a script may only touch keys of one slot under Redis Cluster.
    const base = `${PREFIX}{${throttlerName}:${key}}`;
    let reply: unknown;
    try {
      reply = await this.redis.eval(SCRIPT, 2, `${base}:hits`, `${base}:block`, Math.max(1, Math.ceil(ttl)), limit, Math.max(1, Math.ceil(blockDuration)));
    } catch (err) {
      throw new ServiceUnavailableError('RATE_LIMIT_UNAVAILABLE', 'Sign-in is temporarily unavailable; try again shortly', err instanceof Error ? err.message : String(err));
    }
    const [hits, ttlMs, blocked, blockMs] = (reply as number[]).map(Number) as [number, number, number, number];
    return { totalHits: hits, timeToExpire: Math.ceil(ttlMs / 1000), isBlocked: blocked === 1, timeToBlockExpire: Math.ceil(blockMs / 1000) };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** Redis storage when REDIS_URL is set; otherwise undefined, meaning the throttler's in-memory default (one instance). */
export function throttlerStorageFor(redisUrl: string | undefined): RedisThrottlerStorage | undefined {
  return redisUrl ? new RedisThrottlerStorage(redisUrl) : undefined;
}
