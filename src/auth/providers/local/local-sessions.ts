import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AccountCaller, RequestContext, TokenSet } from '../auth-provider';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { type UserEntity, UsersService } from '../../../users';
import { ProviderError } from '../provider-errors';
import { SessionRevocations } from '../../sessions/session-revocations';
import { LOCAL_TOKEN_AUDIENCE } from '../../tokens/key-source';
import { LocalAccounts } from './local-accounts';
import { LocalAuthRepository, type SessionClient, StoredRefreshToken } from './local-auth.repository';
import { LOCAL_ACTOR, LOCAL_LIMITS } from './local-limits';
import { LOCAL_SECRETS, LocalSecrets } from './local-secrets';
import { LocalSessionStore } from './local-session.store';
import { opaqueToken } from './random-codes';
import { BLOCKED_STATUSES } from '../../../common/user-status';

/** The clock skew a verifier allows on `exp`, added to how long a revoked session's access tokens are refused. */
const MAX_SKEW_S = 60;

/**
 * Sessions of the local provider: RS256 access tokens carrying their session (`sid` = the refresh family), rotating
 * refresh tokens with reuse detection and a short grace for two tabs, and the end of sessions (one family, the others,
 * all of them).
 */
@Injectable()
export class LocalSessions {
  private readonly log = new Logger('LocalAuthProvider');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOCAL_SECRETS) private readonly secrets: LocalSecrets,
    private readonly accounts: LocalAccounts,
    private readonly repo: LocalAuthRepository,
    private readonly store: LocalSessionStore,
    private readonly users: UsersService,
    private readonly revocations: SessionRevocations,
  ) {}

  /** A new session (refresh family) for a user who has passed every sign-in step; `client` is shown in session lists. */
  async issueTokens(user: UserEntity, client?: SessionClient): Promise<TokenSet> {
    const refresh = opaqueToken();
    const familyId = randomUUID();
    await this.repo.insertRefreshToken(user.id, familyId, this.accounts.box.mac('refresh', refresh), this.config.auth.local.refreshTokenTtlS, undefined, client);
    return this.tokenSet(user, refresh, familyId);
  }

  async refreshToken(refreshToken: string, ctx: RequestContext): Promise<TokenSet> {
    const box = this.accounts.box;
    const stored = await this.repo.findRefreshToken(box.mac('refresh', refreshToken));
    if (!stored) throw new ProviderError('REFRESH_TOKEN_INVALID', 'unknown refresh token');
    if (stored.revoked || stored.expired) throw new ProviderError('REFRESH_TOKEN_INVALID', stored.revoked ? 'revoked' : 'expired');
    if (stored.rotated) return this.replayed(stored);
    const user = await this.liveUser(stored);

    const next = opaqueToken();
    const rotated = await this.users.inTransaction(async (tx) => {
      if (!(await this.store.rotate(tx, stored.id, stored.familyId, box.encrypt(next, successorContext(stored.id))))) return false;
      await this.repo.insertRefreshToken(user.id, stored.familyId, box.mac('refresh', next), this.config.auth.local.refreshTokenTtlS, tx, ctx);
      return true;
    });
    // Lost the race to another use of the same token (the second tab): judged like any replay, grace included.
    if (!rotated) return this.replayed(stored);
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'token.refreshed', detail: { familyId: stored.familyId } });
    return this.tokenSet(user, next, stored.familyId);
  }

  async signOut(caller: AccountCaller): Promise<void> {
    const userId = caller.principal.userId;
    const refresh = await this.repo.revokeAllRefreshTokens(userId, 'sign_out');
    await this.users.revokeTokens(userId, `user:${userId}`, 'sign_out');
    await this.users.recordEvent({ userId, actor: `user:${userId}`, type: 'signed_out', detail: { refreshTokensRevoked: refresh } });
  }

  /**
   * Ends every session of the user but the caller's (`keep`, the caller's `sid`): their refresh families and the
   * access tokens already issued from them. Used when a second factor changes: a thief's session must not outlive it.
   */
  async revokeOtherSessions(userId: string, keep: string | undefined, reason: string): Promise<number> {
    const families = await this.store.liveFamilies(userId, keep);
    if (families.length === 0) return 0;
    await this.users.inTransaction(async (tx) => {
      await this.store.revokeFamilies(userId, families, reason, tx);
      await this.revocations.revoke(userId, families.map(sidKey), reason, this.accessTokensDeadBy(), tx);
    });
    await this.users.recordEvent({ userId, actor: LOCAL_ACTOR, type: 'sessions.revoked', detail: { reason, families: families.length } });
    return families.length;
  }

  /**
   * Ends one session (refresh family) of the user: its refresh tokens fail at once and the access tokens it bought are
   * refused on their next request (the `sid` revocation). False when the user has no live session by that id (never
   * another user's: the family is matched with its owner).
   */
  async revokeSession(userId: string, familyId: string, reason: string): Promise<boolean> {
    const live = await this.store.liveFamilies(userId, undefined);
    if (!live.includes(familyId)) return false;
    await this.users.inTransaction(async (tx) => {
      await this.store.revokeFamilies(userId, [familyId], reason, tx);
      await this.revocations.revoke(userId, [sidKey(familyId)], reason, this.accessTokensDeadBy(), tx);
    });
    return true;
  }

  private async liveUser(stored: StoredRefreshToken): Promise<UserEntity> {
    const user = await this.users.findById(stored.userId);
    if (!user || BLOCKED_STATUSES.includes(user.status)) throw new ProviderError('REFRESH_TOKEN_INVALID', 'user missing or blocked');
    if (user.tokensValidAfter && stored.createdAt < user.tokensValidAfter) throw new ProviderError('REFRESH_TOKEN_INVALID', 'issued before revocation');
    return user;
  }

  /**
   * A rotated refresh token came back. Within the grace, and only if it is the immediately previous token (its
   * successor has not been used yet), it is the user's other tab: it gets a fresh access token and the SAME successor,
   * and the family lives on. Anything else (after the grace, or an older token) is a replay: someone holds a copy.
   */
  private async replayed(stored: StoredRefreshToken): Promise<TokenSet> {
    const prior = await this.store.rotated(stored.id, LOCAL_LIMITS.refreshReuseGraceS);
    if (prior?.withinGrace && prior.successorEnc) {
      let successor: string | undefined;
      try {
        successor = this.accounts.box.decrypt(prior.successorEnc, successorContext(stored.id));
      } catch {
        successor = undefined;
      }
      const next = successor ? await this.repo.findRefreshToken(this.accounts.box.mac('refresh', successor)) : null;
      if (successor && next && next.familyId === stored.familyId && !next.rotated && !next.revoked && !next.expired) {
        const user = await this.liveUser(next);
        await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'token.refreshed', detail: { familyId: stored.familyId, grace: true } });
        return this.tokenSet(user, successor, stored.familyId);
      }
    }
    return this.reuseDetected(stored.userId, stored.familyId);
  }

  /** Every token of the family dies, the thief's and the owner's: refresh tokens and the access tokens they bought. */
  private async reuseDetected(userId: string, familyId: string): Promise<never> {
    const revoked = await this.users.inTransaction(async (tx) => {
      const n = await this.store.revokeFamilies(userId, [familyId], 'reuse_detected', tx);
      await this.revocations.revoke(userId, [sidKey(familyId)], 'reuse_detected', this.accessTokensDeadBy(), tx);
      return n;
    });
    await this.users.recordEvent({ userId, actor: LOCAL_ACTOR, type: 'refresh.reuse_detected', detail: { familyId, revoked } });
    this.log.warn({ userId, familyId }, 'refresh token reuse detected: family revoked');
    throw new ProviderError('REFRESH_TOKEN_INVALID', 'rotated refresh token reused');
  }

  /** When the last access token issued so far has expired everywhere (so the revocation row can go). */
  private accessTokensDeadBy(): Date {
    return new Date(Date.now() + (this.config.auth.local.accessTokenTtlS + MAX_SKEW_S) * 1000);
  }

  private tokenSet(user: UserEntity, refreshToken: string, familyId: string): TokenSet {
    const ttl = this.config.auth.local.accessTokenTtlS;
    const accessToken = this.secrets.signingKey.signAccessToken({
      issuer: this.config.publicUrl,
      audience: LOCAL_TOKEN_AUDIENCE,
      subject: user.subject,
      ttlS: ttl,
      email: user.email,
      sessionId: familyId,
    });
    return { accessToken, refreshToken, expiresIn: ttl, tokenType: 'Bearer' };
  }
}

function sidKey(familyId: string): string {
  return `sid:${familyId}`;
}

function successorContext(refreshTokenId: string): string {
  return `refresh-successor:${refreshTokenId}`;
}
