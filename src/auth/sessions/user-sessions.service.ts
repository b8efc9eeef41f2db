import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/app-error';
import type { ProviderName } from '../../config/config.types';
import { type AuditActor, UsersService } from '../../users';
import { AccountAdministration } from '../admin/account-administration.service';
import { type AdminActor, AdminPortError } from '../providers/admin-port';
import { SESSION_DIRECTORY, type SessionDirectory } from './session-directory';

/** A session in an answer: ISO times, and whether it is the caller's own (the token's `sid`). */
export interface SessionView {
  id: string;
  device: string | null;
  ip: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

export interface SessionList {
  provider: ProviderName;
  listed: boolean;
  sessions: SessionView[];
  note?: string;
}

/**
 * Per-user sessions for both surfaces: the user's own (GET/DELETE /auth/sessions) and an administrator's view of
 * anyone's (/admin/users/:id/sessions). Ending one session goes through the provider's SessionDirectory; ending all
 * of them is AccountAdministration.signOutEverywhere (the provider's sign-out plus the revocation watermark).
 */
@Injectable()
export class UserSessions {
  constructor(
    @Inject(SESSION_DIRECTORY) private readonly directory: SessionDirectory,
    private readonly users: UsersService,
    private readonly accounts: AccountAdministration,
  ) {}

  /** `currentSid`: the caller's own session, flagged `current` (a user's own list only). */
  async list(userId: string, currentSid?: string): Promise<SessionList> {
    await this.existing(userId);
    const listing = await this.directory.list(userId);
    return {
      provider: this.directory.provider,
      listed: listing.listed,
      sessions: listing.sessions.map((s) => ({
        id: s.id,
        device: s.device,
        ip: s.ip,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        current: currentSid !== undefined && s.id === currentSid,
      })),
      ...(listing.note ? { note: listing.note } : {}),
    };
  }

  /**
   * Ends one session of `userId` (404 SESSION_NOT_FOUND when the user has no live session by that id: another
   * user's session id is unknown here, so a user cannot probe or end someone else's). Audited with who did it.
   */
  async revoke(userId: string, sessionId: string, actor: AuditActor, requestId?: string): Promise<void> {
    await this.existing(userId);
    const reason = actor.startsWith('admin:') ? 'admin_session_revoked' : 'user_session_revoked';
    if (!(await this.directory.revoke(userId, sessionId, reason))) throw new NotFoundError('SESSION_NOT_FOUND', 'No such session');
    await this.users.recordEvent({ userId, actor, type: 'session.revoked', detail: { sessionId, ...(requestId ? { requestId } : {}) } });
  }

  /** Every session ends: the provider's (Cognito: AdminUserGlobalSignOut) and every token issued so far (watermark). */
  async revokeAll(userId: string, actor: AdminActor): Promise<void> {
    await this.accounts.signOutEverywhere(userId, actor);
  }

  private async existing(userId: string): Promise<void> {
    if (!(await this.users.findById(userId))) throw new AdminPortError('USER_NOT_FOUND', `no user ${userId}`);
  }
}
