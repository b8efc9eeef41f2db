import { Inject, Injectable } from '@nestjs/common';
import { ConflictError } from '../common/errors/app-error';
import { UsersService } from '../users/users.service';
import { isRecentSignIn, mfaRemovalRefusal } from './mfa-change-rules';
import { AccountCaller, AUTH_PROVIDER, AuthProvider, AuthResult, MfaEnrollment, RequestContext, TokenSet } from './providers/auth-provider';
import { ProviderError } from './providers/provider-errors';
import { CredentialLimiter, MAIL_BUDGET, MFA_BUDGET } from './throttling/credential-limiter';

/**
 * The account flows behind /api/v1/auth, whatever the provider: the provider does the work; this adds the limits
 * that must hold for every provider (per account, per user) on top of the per-IP limit of the controller's guard.
 */
@Injectable()
export class AuthService {
  constructor(
    @Inject(AUTH_PROVIDER) readonly provider: AuthProvider,
    private readonly limiter: CredentialLimiter,
    private readonly users: UsersService,
  ) {}

  register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void> {
    return this.provider.register(input, ctx);
  }

  confirmEmail(email: string, code: string, ctx: RequestContext): Promise<void> {
    return this.provider.confirmEmail(email, code, ctx);
  }

  async confirmEmailLink(token: string): Promise<void> {
    if (!this.provider.confirmEmailLink) throw new ProviderError('NOT_SUPPORTED', `${this.provider.name} has no mailed links`);
    return this.provider.confirmEmailLink(token);
  }

  /** Over the mail budget the answer stays the same 202; only the mail is not sent (no enumeration, no mail bombing). */
  async resendVerification(email: string, ctx: RequestContext): Promise<void> {
    if ((await this.limiter.hit({ name: 'mail-verification', ...MAIL_BUDGET }, email)) > 0) return;
    return this.provider.resendVerification(email, ctx);
  }

  /**
   * Attempts per address are limited whether or not the address exists (the lockout itself must not reveal
   * accounts). The counter is keyed by the last password reset too, so a reset lifts the lockout: the lockout never
   * blocks the way back in.
   */
  async login(email: string, password: string, ctx: RequestContext): Promise<AuthResult> {
    const user = await this.users.findByEmail(email);
    const generation = user?.passwordResetAt?.getTime() ?? 0;
    await this.limiter.consume(this.limiter.loginBudget(), `${email}:${generation}`);
    return this.provider.authenticate(email, password, ctx);
  }

  respondToMfaChallenge(input: { session: string; code: string; email?: string }, ctx: RequestContext): Promise<AuthResult> {
    return this.provider.respondToMfaChallenge(input, ctx);
  }

  refresh(refreshToken: string, ctx: RequestContext): Promise<TokenSet> {
    return this.provider.refreshToken(refreshToken, ctx);
  }

  /** Enrolling while a factor is enabled replaces it: that needs the same proof as removing it. */
  async startMfaEnrollment(caller: AccountCaller, code?: string): Promise<MfaEnrollment> {
    const user = await this.users.findById(caller.principal.userId);
    if (user?.mfaMethod) await this.requireFactorProof(caller, code);
    return this.provider.startMfaEnrollment(caller, code);
  }

  async verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<{ recoveryCodes?: string[] }> {
    await this.limiter.consume({ name: 'mfa-verify', ...MFA_BUDGET }, caller.principal.userId);
    return this.provider.verifyMfaEnrollment(caller, code);
  }

  async regenerateRecoveryCodes(caller: AccountCaller, code: string): Promise<string[]> {
    if (!this.provider.regenerateRecoveryCodes) throw new ProviderError('NOT_SUPPORTED', `${this.provider.name} has no recovery codes`);
    await this.limiter.consume({ name: 'mfa-verify', ...MFA_BUDGET }, caller.principal.userId);
    return this.provider.regenerateRecoveryCodes(caller, code);
  }

  /**
   * A stolen access token alone must not remove the second factor: removal needs the current code (or, where the
   * provider cannot check one, a recent sign-in), and is refused outright once onboarding has required MFA.
   */
  async disableMfa(caller: AccountCaller, code?: string): Promise<void> {
    const user = await this.users.findById(caller.principal.userId);
    const refusal = user ? mfaRemovalRefusal(user) : null;
    if (refusal === 'MFA_REQUIRED_BY_ADMIN') throw new ProviderError(refusal, `user ${caller.principal.userId} has mfa_required`);
    if (refusal === 'MFA_REQUIRED') throw new ConflictError('MFA_REQUIRED', 'Two-factor authentication is required once onboarding has required it; replace it instead');
    await this.requireFactorProof(caller, code);
    return this.provider.disableMfa(caller, code);
  }

  /** The one rule for changing a second factor, for every provider: the current code, else a sign-in within 5 minutes. */
  private async requireFactorProof(caller: AccountCaller, code: string | undefined): Promise<void> {
    if (this.provider.checksFactorCodes) {
      if (!code) throw new ProviderError('MFA_CODE_REQUIRED', 'changing a second factor needs the current code');
      // Each guess costs: a stolen token must not brute-force six digits here either.
      await this.limiter.consume({ name: 'mfa-verify', ...MFA_BUDGET }, caller.principal.userId);
      return;
    }
    if (!isRecentSignIn(caller.principal.authTimeMs, Date.now())) throw new ProviderError('REAUTHENTICATION_REQUIRED', 'sign-in older than 5 minutes');
  }

  async requestPasswordReset(email: string, ctx: RequestContext): Promise<void> {
    if ((await this.limiter.hit({ name: 'mail-reset', ...MAIL_BUDGET }, email)) > 0) return;
    return this.provider.requestPasswordReset(email, ctx);
  }

  confirmPasswordReset(input: { email: string; code: string; newPassword: string }, ctx: RequestContext): Promise<void> {
    return this.provider.confirmPasswordReset(input, ctx);
  }

  signOut(caller: AccountCaller): Promise<void> {
    return this.provider.signOut(caller);
  }
}
