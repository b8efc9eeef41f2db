import type { ProviderName } from '../../config/config.types';

/**
 * The active provider's sessions of one user, in provider-neutral terms: the list (what the provider can tell) and
 * the end of one session. Bound under SESSION_DIRECTORY by AuthProviderBindingModule; UserSessions is its only user.
 * Ending every session is not here: that is AccountAdministration.signOutEverywhere (provider + watermark).
 */
export const SESSION_DIRECTORY = Symbol('SESSION_DIRECTORY');

/** One session as a list shows it. `id` is the `sid` its access tokens carry. */
export interface SessionSummary {
  id: string;
  /** The user agent of the sign-in that began it (null when unknown). */
  device: string | null;
  /** The client address of its latest token (null when unknown). */
  ip: string | null;
  createdAt: Date;
  /** Its latest refresh (or the sign-in itself): access-token use is not recorded per request. */
  lastUsedAt: Date;
  expiresAt: Date;
}

export interface SessionListing {
  /** false: the provider cannot list sessions (`sessions` is empty and `note` says what it cannot tell). */
  listed: boolean;
  sessions: SessionSummary[];
  note?: string;
}

export interface SessionDirectory {
  readonly provider: ProviderName;
  list(userId: string): Promise<SessionListing>;
  /**
   * Ends the user's session `sessionId`: its refresh tokens fail at once and its live access tokens are refused on
   * their next request. False when the user has no live session by that id. Throws NOT_SUPPORTED where the provider
   * cannot end one session alone.
   */
  revoke(userId: string, sessionId: string, reason: string): Promise<boolean>;
}
