import { Injectable } from '@nestjs/common';
import type { SessionDirectory, SessionListing } from '../../sessions/session-directory';
import { LocalSessionStore } from './local-session.store';
import { LocalSessions } from './local-sessions';

/** The local provider's sessions: its live refresh families (see LocalSessionStore.sessionsOf). */
@Injectable()
export class LocalSessionDirectory implements SessionDirectory {
  readonly provider = 'local' as const;

  constructor(
    private readonly store: LocalSessionStore,
    private readonly sessions: LocalSessions,
  ) {}

  async list(userId: string): Promise<SessionListing> {
    const rows = await this.store.sessionsOf(userId);
    return {
      listed: true,
      sessions: rows.map((r) => ({ id: r.familyId, device: r.userAgent, ip: r.ip, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, expiresAt: r.expiresAt })),
    };
  }

  revoke(userId: string, sessionId: string, reason: string): Promise<boolean> {
    return this.sessions.revokeSession(userId, sessionId, reason);
  }
}
