import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { RateLimitedError } from '../../../common/errors/app-error';
import { type UserEntity, UsersService } from '../../../users';
import type { AuthResult, RequestContext } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { LocalAccounts } from './local-accounts';
import { ChallengeKind, LocalAuthRepository } from './local-auth.repository';
import { LocalFactors } from './local-factors';
import { LOCAL_ACTOR, LOCAL_LIMITS } from './local-limits';
import { LocalSessionStore } from './local-session.store';
import { LocalSessions } from './local-sessions';
import { MFA_FAILURE_BUDGET } from '../../throttling/credential-limiter';
import { opaqueToken } from './random-codes';
import { SecretBox } from './secret-box';

const NO_USER = '00000000-0000-0000-0000-000000000000';

/** Sign-in: the password step, then the challenges it may open (TOTP, NEW_PASSWORD_REQUIRED), then tokens. */
@Injectable()
export class LocalSignIn {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: LocalAccounts,
    private readonly factors: LocalFactors,
    private readonly sessions: LocalSessions,
    private readonly repo: LocalAuthRepository,
    private readonly store: LocalSessionStore,
    private readonly users: UsersService,
  ) {}

  async authenticate(email: string, password: string, ctx: RequestContext): Promise<AuthResult> {
    const hasher = this.accounts.hasher;
    const user = await this.accounts.localUser(email);
    // The same reads on both paths (an unknown address reads the credentials of no user), so timing tells nothing.
    const creds = await this.repo.credentials(user?.id ?? NO_USER);
    if (!user || !creds || password.length > LOCAL_LIMITS.maxPasswordLength) {
      await hasher.verifyDummy(password);
      throw new ProviderError('AUTH_FAILED', 'unknown local user');
    }
    if (!(await hasher.verify(creds.passwordHash, password))) {
      // The audit row is a write only known addresses do: after the answer, not before it.
      this.accounts.detach('login-failed-audit', ctx, () => this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'login.failed', detail: { reason: 'password' } }));
      throw new ProviderError('AUTH_FAILED', 'wrong password');
    }
    // Same answer as a wrong password: an unverified address must not be confirmable as registered.
    if (!user.emailVerified) throw new ProviderError('AUTH_FAILED', 'email not verified');
    this.accounts.refuseBlocked(user, ctx);
    if (hasher.needsRehash(creds.passwordHash)) {
      await this.repo.rehashPassword(user.id, creds.passwordHash, await hasher.hash(password));
    }
    // A temporary password (set by an administrator) only buys the right to choose a new one; tokens come after.
    // With TOTP on, the second factor comes first: knowing a temporary password must not be enough to change it.
    if (creds.mustChangePassword && Date.now() - creds.passwordChangedAt.getTime() > LOCAL_LIMITS.temporaryPasswordTtlS * 1000) {
      await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'login.failed', detail: { reason: 'temporary_password_expired' } });
      throw new ProviderError('AUTH_FAILED', 'temporary password expired');
    }
    if (creds.mustChangePassword && creds.totpSecretEnc === null) return this.openChallenge(user, 'new_password');
    return this.afterPasswordStep(user, creds.totpSecretEnc !== null, ctx);
  }

  async respondToMfaChallenge(input: { session: string; code: string; email?: string }, ctx: RequestContext): Promise<AuthResult> {
    const [id, secret] = input.session.split('.');
    if (!id || !secret || !/^[0-9a-f-]{36}$/.test(id)) throw new ProviderError('MFA_SESSION_INVALID', 'malformed session');
    const challenge = await this.repo.takeChallengeAttempt(id, LOCAL_LIMITS.challengeAttempts);
    if (!challenge || !SecretBox.equal(challenge.secretHash, this.accounts.box.mac('challenge', secret))) {
      throw new ProviderError('MFA_SESSION_INVALID', 'unknown, expired, used or exhausted challenge');
    }
    const user = await this.users.findById(challenge.userId);
    if (!user) throw new ProviderError('MFA_SESSION_INVALID', 'user gone');
    if (input.email && input.email.toLowerCase() !== user.email?.toLowerCase()) throw new ProviderError('MFA_SESSION_INVALID', 'email does not match the session');
    // A password reset or sign-out after the password step ends the half-finished login too.
    if (user.tokensValidAfter && challenge.createdAt < user.tokensValidAfter) throw new ProviderError('MFA_SESSION_INVALID', 'challenge predates revocation');
    this.accounts.refuseBlocked(user, ctx);
    // The kind is stored with the session, so a NEW_PASSWORD_REQUIRED session never accepts a TOTP code and vice versa.
    if (challenge.kind === 'new_password') return this.answerNewPassword(user, challenge.id, input.code, ctx);
    const creds = await this.repo.credentials(user.id);
    if (!creds?.totpSecretEnc) throw new ProviderError('MFA_SESSION_INVALID', 'TOTP no longer enabled');

    // Per user, across sessions: each password step opens a fresh five-try challenge, so that alone caps nothing.
    const before = await this.store.recentMfaFailures(user.id, MFA_FAILURE_BUDGET.windowS, MFA_FAILURE_BUDGET.limit);
    if (before.count >= MFA_FAILURE_BUDGET.limit) throw new RateLimitedError(before.retryAfterS);
    const { ok, method } = await this.factors.checkSecondFactor(user.id, creds.totpSecretEnc, input.code);
    if (!ok) {
      await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'login.mfa_failed', detail: { method } });
      await this.lockedNow(user);
      throw new ProviderError('MFA_CODE_INVALID', `${method} rejected`);
    }
    if (!(await this.repo.useChallenge(challenge.id))) throw new ProviderError('MFA_SESSION_INVALID', 'challenge used concurrently');
    if (creds.mustChangePassword) return this.openChallenge(user, 'new_password');
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'login.succeeded', detail: { mfa: method } });
    return { kind: 'tokens', tokens: await this.sessions.issueTokens(user, ctx) };
  }

  /** The failure that spends the budget locks the MFA step: the owner is told once (their password is known). */
  private async lockedNow(user: UserEntity): Promise<void> {
    const after = await this.store.recentMfaFailures(user.id, MFA_FAILURE_BUDGET.windowS, MFA_FAILURE_BUDGET.limit);
    if (after.count !== MFA_FAILURE_BUDGET.limit) return;
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'login.mfa_locked', detail: { retryAfterS: after.retryAfterS } });
    this.factors.mailChange(user, 'mfa_locked');
  }

  /** A short-lived session for the next step: the client holds a random secret, the table only its keyed hash. */
  private async openChallenge(user: UserEntity, kind: ChallengeKind): Promise<AuthResult> {
    const secret = opaqueToken();
    const id = await this.repo.insertChallenge(user.id, this.accounts.box.mac('challenge', secret), LOCAL_LIMITS.challengeTtlS, kind);
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: kind === 'mfa' ? 'login.mfa_challenged' : 'login.new_password_required' });
    return { kind: 'challenge', challenge: kind === 'mfa' ? 'SOFTWARE_TOKEN_MFA' : 'NEW_PASSWORD_REQUIRED', session: `${id}.${secret}` };
  }

  /** After the password (and, when one was required, the new password): the TOTP challenge, or tokens. */
  private async afterPasswordStep(user: UserEntity, totpEnabled: boolean, ctx: RequestContext): Promise<AuthResult> {
    if (totpEnabled) return this.openChallenge(user, 'mfa');
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'login.succeeded', detail: { mfa: false } });
    return { kind: 'tokens', tokens: await this.sessions.issueTokens(user, ctx) };
  }

  /**
   * Answers NEW_PASSWORD_REQUIRED: `newPassword` replaces the temporary one, which the session proved knowledge of.
   * The session is spent in the same transaction as the change, so two concurrent answers cannot both set one.
   */
  private async answerNewPassword(user: UserEntity, challengeId: string, newPassword: string, ctx: RequestContext): Promise<AuthResult> {
    const creds = await this.repo.credentials(user.id);
    // Cleared meanwhile (the user's own reset, an admin's permanent password): this session has nothing left to do.
    if (!creds?.mustChangePassword) throw new ProviderError('MFA_SESSION_INVALID', 'no password change pending');
    this.accounts.checkPasswordPolicy(newPassword, user.email ?? '');
    // The administrator and the invite mail know the temporary password: keeping it would defeat the forced change.
    if (await this.accounts.hasher.verify(creds.passwordHash, newPassword)) {
      throw new ProviderError('PASSWORD_POLICY', 'same as the temporary password', { minLength: this.config.auth.local.passwordMinLength });
    }
    const hash = await this.accounts.hasher.hash(newPassword);
    const changed = await this.users.inTransaction(async (tx) => {
      if (!(await this.repo.useChallenge(challengeId, tx))) return false;
      await this.repo.setPassword(tx, user.id, hash);
      return true;
    });
    if (!changed) throw new ProviderError('MFA_SESSION_INVALID', 'challenge used concurrently');
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'password.changed', detail: { via: 'new_password_required' } });
    // A TOTP user reached this step only after answering the TOTP challenge.
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'login.succeeded', detail: { mfa: creds.totpSecretEnc !== null, newPassword: true } });
    return { kind: 'tokens', tokens: await this.sessions.issueTokens(user, ctx) };
  }
}
