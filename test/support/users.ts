import type { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { USER_CHANGED, type UserChanged } from '../../src/users/user-events';
import type { UserStatus } from '../../src/common/user-status';

/** The progress facts that put a user on each rung with every step on; a blocked status sits on pending_approval. */
const RUNG: Record<UserStatus, number> = {
  pending_verification: 0, pending_approval: 1, pending_mfa: 2, pending_subscription: 3, active: 4, suspended: 1, disabled: 1, rejected: 1,
};
const BLOCKED: readonly UserStatus[] = ['suspended', 'disabled', 'rejected'];

/**
 * Puts a user in `status` by writing the ladder's facts and blocks that derive it (the status is never set alone:
 * the next ladder change would re-derive it from the facts). For tests that need a starting point.
 */
export async function setStatus(db: DataSource, userId: string, status: UserStatus): Promise<void> {
  const rung = RUNG[status];
  const blocks = BLOCKED.includes(status) ? { [status]: { kind: status, by: 'admin', reason: 'test', until: null, at: new Date().toISOString() } } : {};
  await db.query(
    `UPDATE auth.users SET status = $2,
       email_verified_at = CASE WHEN $3 THEN COALESCE(email_verified_at, now()) END, email_verified = email_verified OR $3,
       approved_at = CASE WHEN $4 THEN COALESCE(approved_at, now()) END, approved_by = CASE WHEN $4 THEN 'test' END,
       mfa_enrolled_at = CASE WHEN $5 THEN COALESCE(mfa_enrolled_at, now()) END, entitled = $6, blocks = $7::jsonb
     WHERE id = $1`,
    [userId, status, rung >= 1, rung >= 2, rung >= 3, rung >= 4, JSON.stringify(blocks)],
  );
}

/** Inserts a user directly (before any request has cached it), so tests start from a known state. */
export async function insertUser(db: DataSource, issuer: string, subject: string, status: UserStatus = 'active', provider = 'cognito'): Promise<string> {
  const rows: Array<{ id: string }> = await db.query(
    `INSERT INTO auth.users (issuer, subject, auth_provider, status, email_verified) VALUES ($1, $2, $3, $4, true) RETURNING id`,
    [issuer, subject, provider, status],
  );
  await setStatus(db, rows[0]!.id, status);
  return rows[0]!.id;
}

/** Polls until `check` passes or `ms` run out; returns how long it took. Used where a rule must hold "within" a bound. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Resolves once the change feed has delivered a notice for each user id `write` returns: a row written with SQL by a
 * test is announced asynchronously, and a cache filled before the notice arrives is emptied by it. Waiting keeps a
 * test about the cache from racing its own set-up.
 */
export async function announced<T extends string>(events: EventEmitter2, write: () => Promise<T>): Promise<T> {
  const last = new Map<string, number>();
  const onChange = (e: UserChanged) => {
    if (e.source === 'feed') last.set(e.userId, Date.now());
  };
  events.on(USER_CHANGED, onChange);
  try {
    const id = await write();
    const until = Date.now() + 5_000;
    // A write of several statements sends several notices: wait until this user's have gone quiet for a moment.
    for (;;) {
      const at = last.get(id);
      if (at !== undefined && Date.now() - at >= QUIET_MS) return id;
      if (Date.now() > until) throw new Error(`no change notice for ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    events.off(USER_CHANGED, onChange);
  }
}

const QUIET_MS = 50;
