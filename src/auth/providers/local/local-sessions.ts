import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AccountCaller, RequestContext, TokenSet } from '../auth-provider';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { BLOCKED_STATUSES } from '../../../users/onboarding/transitions';
import type { UserEntity } from '../../../users/user.entity';
import { UsersService } from '../../../users/users.service';
import { ProviderError } from '../provider-errors';
import { LOCAL_TOKEN_AUDIENCE } from '../../tokens/key-source';
import { LocalAccounts } from './local-accounts';
import { LocalAuthRepository } from './local-auth.repository';
import { LOCAL_ACTOR } from './local-limits';
import { LOCAL_SECRETS, LocalSecrets } from './local-secrets';
import { opaqueToken } from './random-codes';

/** Sessions of the local provider: RS256 access tokens, rotating refresh tokens with reuse detection, sign-out. */
@Injectable()
export class LocalSessions {
  private readonly log = new Logger('LocalAuthProvider');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOCAL_SECRETS) private readonly secrets: LocalSecrets,
    private readonly accounts: LocalAccounts,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
  ) {}

  /** A new session (refresh family) for a user who has passed every sign-in step. */
  async issueTokens(user: UserEntity): Promise<TokenSet> {
    const refresh = opaqueToken();
    await this.repo.insertRefreshToken(user.id, randomUUID(), this.accounts.box.mac('refresh', refresh), this.config.auth.local.refreshTokenTtlS);
    return this.tokenSet(user, refresh);
  }

  async refreshToken(refreshToken: string, _ctx: RequestContext): Promise<TokenSet> {
    const box = this.accounts.box;
    const stored = await this.repo.findRefreshToken(box.mac('refresh', refreshToken));
    if (!stored) throw new ProviderError('REFRESH_TOKEN_INVALID', 'unknown refresh token');
    if (stored.revoked || stored.expired) throw new ProviderError('REFRESH_TOKEN_INVALID', stored.revoked ? 'revoked' : 'expired');
    if (stored.rotated) return this.reuseDetected(stored.userId, stored.familyId);
    const user = await this.users.findById(stored.userId);
    if (!user || BLOCKED_STATUSES.includes(user.status)) throw new ProviderError('REFRESH_TOKEN_INVALID', 'user missing or blocked');
    if (user.tokensValidAfter && stored.createdAt < user.tokensValidAfter) throw new ProviderError('REFRESH_TOKEN_INVALID', 'issued before revocation');

    const next = opaqueToken();
    const rotated = await this.users.inTransaction(async (tx) => {
      if (!(await this.repo.rotateRefreshToken(tx, stored.id))) return false;
      await this.repo.insertRefreshToken(user.id, stored.familyId, box.mac('refresh', next), this.config.auth.local.refreshTokenTtlS, tx);
      return true;
    });
    // Lost the race to another use of the same token: that is a replay as far as this caller is concerned.
    if (!rotated) return this.reuseDetected(stored.userId, stored.familyId);
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'token.refreshed', detail: { familyId: stored.familyId } });
    return this.tokenSet(user, next);
  }

  async signOut(caller: AccountCaller): Promise<void> {
    const userId = caller.principal.userId;
    const refresh = await this.repo.revokeAllRefreshTokens(userId, 'sign_out');
    await this.users.revokeTokens(userId, `user:${userId}`, 'sign_out');
    await this.users.recordEvent({ userId, actor: `user:${userId}`, type: 'signed_out', detail: { refreshTokensRevoked: refresh } });
  }

  /** A rotated refresh token came back: someone holds a copy. Every token of the family dies, the thief's and the owner's. */
  private async reuseDetected(userId: string, familyId: string): Promise<never> {
    const revoked = await this.repo.revokeFamily(familyId, 'reuse_detected');
    await this.users.recordEvent({ userId, actor: LOCAL_ACTOR, type: 'refresh.reuse_detected', detail: { familyId, revoked } });
    this.log.warn({ userId, familyId }, 'refresh token reuse detected: family revoked');
    throw new ProviderError('REFRESH_TOKEN_INVALID', 'rotated refresh token reused');
  }

  private tokenSet(user: UserEntity, refreshToken: string): TokenSet {
    const ttl = this.config.auth.local.accessTokenTtlS;
    const accessToken = this.secrets.signingKey.signAccessToken({ issuer: this.config.publicUrl, audience: LOCAL_TOKEN_AUDIENCE, subject: user.subject, ttlS: ttl, email: user.email });
    return { accessToken, refreshToken, expiresIn: ttl, tokenType: 'Bearer' };
  }
}
