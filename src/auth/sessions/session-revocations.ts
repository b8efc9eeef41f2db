import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { USER_CHANGE_FEED, type UserChangeFeed, USER_CHANGED, USER_CHANGES_RESET, type UserChanged } from '../../users';
import type { VerifiedToken } from '../tokens/verified-token';
import { tokenDigest } from '../tokens/verified-token.cache';

const MAX_USERS = 50_000;

/** The keys under which a token's session can be revoked: its session (`sid`), its own id (`jti`), its bytes. */
export function sessionKeys(v: Pick<VerifiedToken, 'sessionId' | 'tokenId' | 'tokenHash'>): string[] {
  const keys: string[] = [];
  if (v.sessionId) keys.push(`sid:${v.sessionId}`);
  if (v.tokenId) keys.push(`jti:${v.tokenId}`);
  if (v.tokenHash) keys.push(`tok:${v.tokenHash}`);
  return keys;
}

/** The key a raw token is revoked under when nothing better is known (the `tokenHash` its verification recorded). */
export function tokenHashKey(token: string): string {
  return tokenDigest(token);
}

/**
 * Sessions ended before their tokens expire (a refresh family revoked, a hosted-login logout), checked next to the
 * revocation watermark on every request. Per user, the set of revoked keys is kept in memory and dropped by the same
 * change feed as the user cache (an insert into `auth.revoked_sessions` NOTIFYs the user's id), so the hot path does a
 * Map look-up and no database round trip, and a revocation on one instance holds on every instance within a second.
 * While the feed is down nothing is cached: every request reads the table (fail closed, like the user cache).
 */
@Injectable()
export class SessionRevocations {
  private readonly byUser = new Map<string, ReadonlySet<string>>();
  private epoch = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(USER_CHANGE_FEED) private readonly feed: UserChangeFeed,
  ) {}

  /** Moves whenever a cached set is dropped: while it stays the same, every set this cache handed out is still current. */
  get generation(): number {
    return this.epoch;
  }

  /** The user's revoked keys when cached (no await on the hot path), else undefined. */
  peek(userId: string): ReadonlySet<string> | undefined {
    return this.byUser.get(userId);
  }

  async load(userId: string): Promise<ReadonlySet<string>> {
    const hit = this.byUser.get(userId);
    if (hit) return hit;
    const started = this.epoch;
    const rows = (await this.db.query(`SELECT key FROM auth.revoked_sessions WHERE user_id = $1 AND expires_at > now()`, [userId])) as Array<{ key: string }>;
    const keys: ReadonlySet<string> = new Set(rows.map((r) => r.key));
    // A read that raced a revocation is not cached (the epoch moved while it was in flight).
    if (this.feed.live && this.epoch === started) {
      if (this.byUser.size >= MAX_USERS) {
        this.epoch++;
        this.byUser.clear();
      }
      this.byUser.set(userId, keys);
    }
    return keys;
  }

  /** Whether any of the token's session keys is revoked, given the user's revoked set. */
  static isRevoked(revoked: ReadonlySet<string>, v: Pick<VerifiedToken, 'sessionId' | 'tokenId' | 'tokenHash'>): boolean {
    if (revoked.size === 0) return false;
    return sessionKeys(v).some((k) => revoked.has(k));
  }

  /**
   * Ends sessions: tokens carrying any of `keys` are refused from now on, everywhere, until `expiresAt` (after which
   * they would be expired anyway). Expired rows of the user are swept on the way.
   */
  async revoke(userId: string, keys: string[], reason: string, expiresAt: Date, tx?: EntityManager): Promise<void> {
    if (keys.length === 0) return;
    const q = tx ?? this.db;
    await q.query(`DELETE FROM auth.revoked_sessions WHERE user_id = $1 AND expires_at <= now()`, [userId]);
    await q.query(
      `INSERT INTO auth.revoked_sessions (user_id, key, reason, expires_at)
       SELECT $1, k, $3, $4 FROM unnest($2::text[]) AS k
       ON CONFLICT (user_id, key) DO UPDATE SET expires_at = GREATEST(auth.revoked_sessions.expires_at, EXCLUDED.expires_at)`,
      [userId, keys, reason, expiresAt],
    );
    // This instance need not wait for its own NOTIFY.
    this.evict({ userId });
  }

  @OnEvent(USER_CHANGED)
  evict(event: Pick<UserChanged, 'userId'>): void {
    this.epoch++;
    this.byUser.delete(event.userId);
  }

  @OnEvent(USER_CHANGES_RESET)
  clear(): void {
    this.epoch++;
    this.byUser.clear();
  }
}
