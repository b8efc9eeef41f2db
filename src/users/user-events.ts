import type { UserStatus } from '../common/user-status';
import type { OnboardingEvent } from './onboarding/transitions';

/**
 * USER_CHANGED: a user row (or the user's revoked sessions) changed. THE cross-instance event of the users module.
 *
 * Contract:
 * - Fires on EVERY instance connected to the database, for every committed change to `auth.users` (insert, update,
 *   delete: by this app, another instance, or an operator with psql) and for every revoked session. It comes from the
 *   Postgres change feed (a trigger NOTIFYs after commit; each instance LISTENs), so it is never seen for a change
 *   that rolled back, and never before the commit.
 * - On the instance that committed, it ALSO fires right after the commit (`source: 'local'`), before that instance's
 *   own notice comes back: so that instance reads its own writes at once (a signed-out token is refused on the very
 *   next request) without waiting for the feed.
 * - Delivery is at least once: the committing instance sees it twice (`local`, then `feed`); any instance may see it
 *   again after a reconnect. Listeners must be idempotent. Order between different users is not guaranteed.
 * - When the feed connection drops, notices may be lost: USER_CHANGES_RESET fires instead (drop everything cached),
 *   and again when it reconnects.
 * - Emitted synchronously by EventEmitter2: a listener must not block; do async work without awaiting in the emit.
 */
export const USER_CHANGED = 'user.changed';
export interface UserChanged {
  userId: string;
  /**
   * The status after the change; null when the row was deleted; undefined when the notice says nothing about the
   * row (a revoked session, or a notice in the old bare-id form).
   */
  status?: UserStatus | null;
  /** The status before the change where known (null for an insert). */
  previousStatus?: UserStatus | null;
  /** The revocation watermark after the change (tokens issued before it are refused), where known. */
  tokensValidAfter?: Date | null;
  /** True when the user's revoked sessions changed (`auth.revoked_sessions`). */
  sessions?: boolean;
  /** `local`: this instance, right after its own commit. `feed`: the change feed (any instance, this one included). */
  source: 'local' | 'feed';
}

/**
 * USER_STATUS_CHANGED: the ladder moved a user from one status to another. In-process, on the instance that made
 * the change only, once, after its commit (never for a rollback). For side effects that must happen once per change
 * (e.g. ending the user's sessions at Cognito). Listeners that must see changes made on other instances (caches,
 * sockets) use USER_CHANGED instead.
 */
export const USER_STATUS_CHANGED = 'user.status.changed';
export interface UserStatusChanged {
  userId: string;
  from: UserStatus;
  to: UserStatus;
  event: OnboardingEvent;
  actor: string;
}

/** The change feed was interrupted: notifications may have been missed, so drop every cached user. */
export const USER_CHANGES_RESET = 'user.changes.reset';
