import { Inject, Injectable } from '@nestjs/common';
import { UsersService } from '../users/users.service';
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

  startMfaEnrollment(caller: AccountCaller): Promise<MfaEnrollment> {
    return this.provider.startMfaEnrollment(caller);
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

  disableMfa(caller: AccountCaller): Promise<void> {
    return this.provider.disableMfa(caller);
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
