import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { USER_CHANGE_FEED, type UserChangeFeed } from './user-change.listener';
import { USER_CHANGED, USER_CHANGES_RESET, type UserChanged } from './user-events';
import { UserEntity } from './user.entity';

const MAX_ENTRIES = 50_000;

/**
 * Keeps user rows in memory so an authenticated request needs no database round trip. Correctness comes from the
 * change feed: every committed change to `auth.users` (from any instance) evicts the row; while the feed is down
 * nothing is cached. A read that raced a change is not cached (the epoch moved while it was in flight).
 */
@Injectable()
export class UserCache {
  private readonly byId = new Map<string, UserEntity>();
  /** issuer → subject → id: two look-ups on strings the verified token keeps (hashed once), no key built per request. */
  private readonly idByIdentity = new Map<string, Map<string, string>>();
  private epoch = 0;

  constructor(@Inject(USER_CHANGE_FEED) private readonly feed: UserChangeFeed) {}

  /** Moves on every eviction and clear: while it stays the same, every row this cache handed out is still current. */
  get generation(): number {
    return this.epoch;
  }

  peekIdentity(issuer: string, subject: string): UserEntity | undefined {
    const id = this.idByIdentity.get(issuer)?.get(subject);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** The cached row by id (no await on the hot path), else undefined. */
  peekId(id: string): UserEntity | undefined {
    return this.byId.get(id);
  }

  /** Returns the cached row or loads it; `load` is only called on a miss. */
  async byIdentity(issuer: string, subject: string, load: () => Promise<UserEntity | null>): Promise<UserEntity | null> {
    const hit = this.peekIdentity(issuer, subject);
    if (hit) return hit;
    const started = this.epoch;
    const row = await load();
    if (row && this.feed.live && this.epoch === started) this.put(row, issuer, subject);
    return row;
  }

  async byIdOrLoad(id: string, load: () => Promise<UserEntity | null>): Promise<UserEntity | null> {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const started = this.epoch;
    const row = await load();
    if (row && this.feed.live && this.epoch === started) this.put(row, row.issuer, row.subject);
    return row;
  }

  @OnEvent(USER_CHANGED)
  evict(event: UserChanged): void {
    this.epoch++;
    this.byId.delete(event.userId);
  }

  @OnEvent(USER_CHANGES_RESET)
  clear(): void {
    this.epoch++;
    this.byId.clear();
    this.idByIdentity.clear();
  }

  private put(row: UserEntity, issuer: string, subject: string): void {
    if (this.byId.size >= MAX_ENTRIES) this.clear();
    // Replacing a row another caller may have built on moves the generation; filling an empty slot changes nothing handed out.
    if (this.byId.has(row.id)) this.epoch++;
    this.byId.set(row.id, row);
    let subjects = this.idByIdentity.get(issuer);
    if (!subjects) this.idByIdentity.set(issuer, (subjects = new Map()));
    subjects.set(subject, row.id);
  }
}
