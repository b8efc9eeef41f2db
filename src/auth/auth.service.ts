import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, ConflictError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { MAILER, type Mailer } from '../mail/mailer';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { isRecentSignIn, mfaRemovalRefusal } from './mfa-change-rules';
import { AccountCaller, AUTH_PROVIDER, AuthProvider, AuthResult, MfaEnrollment, RequestContext, TokenSet } from './providers/auth-provider';
import { ProviderError } from './providers/provider-errors';
import { CredentialLimiter, LoginKeys, MAIL_BUDGET, MFA_BUDGET } from './throttling/credential-limiter';
import { loginAttackMail } from './throttling/login-alert.mail';

/** Verification mails (register and resend share it) per address. */
const VERIFICATION_MAIL = { name: 'mail-verification', ...MAIL_BUDGET };

/**
 * The account flows behind /api/v1/auth, whatever the provider: the provider does the work; this adds the limits
 * that must hold for every provider (per account, per user) on top of the per-IP limit of the controller's guard.
 */
@Injectable()
export class AuthService {
  private readonly log = new Logger(AuthService.name);

  constructor(
    @Inject(AUTH_PROVIDER) readonly provider: AuthProvider,
    private readonly limiter: CredentialLimiter,
    private readonly users: UsersService,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The same silent mail budget as resend (shared with it): over it the answer stays 202 and nothing happens, so
   * register can neither mail-bomb a mailbox nor hand out fresh five-try codes at the per-IP rate.
   */
  async register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void> {
    if ((await this.limiter.hit(VERIFICATION_MAIL, input.email)) > 0) return;
    return this.provider.register(input, ctx);
  }

  confirmEmail(email: string, code: string, ctx: RequestContext): Promise<void> {
    return this.provider.confirmEmail(email, code, ctx);
  }

  /** Throws NOT_SUPPORTED for providers that mail no links of their own (the link page says so instead of a form). */
  assertEmailLinks(): void {
    if (!this.provider.confirmEmailLink) throw new ProviderError('NOT_SUPPORTED', `${this.provider.name} has no mailed links`);
  }

  async confirmEmailLink(token: string): Promise<void> {
    this.assertEmailLinks();
    return this.provider.confirmEmailLink!(token);
  }

  /** Over the mail budget the answer stays the same 202; only the mail is not sent (no enumeration, no mail bombing). */
  async resendVerification(email: string, ctx: RequestContext): Promise<void> {
    if ((await this.limiter.hit(VERIFICATION_MAIL, email)) > 0) return;
    return this.provider.resendVerification(email, ctx);
  }

  /**
   * Failed attempts are counted whether or not the address exists (the lockout must not reveal accounts), per address
   * and client (a hard lock for that client) and per address (a growing delay for everyone, never a lock for the
   * owner): see login-lockout.ts. The counts are keyed by the last password reset too, so a reset lifts them.
   */
  async login(email: string, password: string, ctx: RequestContext): Promise<AuthResult> {
    const user = await this.users.findByEmail(email);
    const generation = user?.passwordResetAt?.getTime() ?? 0;
    const keys: LoginKeys = { address: `${email}:${generation}`, client: `${email}:${generation}:${ctx.ip}` };
    await this.limiter.loginGate(keys);
    let result: AuthResult;
    try {
      result = await this.provider.authenticate(email, password, ctx);
    } catch (err) {
      if (err instanceof AppError && err.code === 'AUTH_FAILED' && (await this.limiter.loginFailed(keys))) this.alertOwner(user, ctx);
      throw err;
    }
    await this.limiter.loginSucceeded(keys);
    return result;
  }

  /** Once per attack window (and within a mail budget), the owner hears of it; not awaited, as the answer is the same. */
  private alertOwner(user: UserEntity | null, ctx: RequestContext): void {
    const to = user?.email;
    if (!user || !to) return;
    void (async () => {
      if ((await this.limiter.hit({ name: 'mail-login-alert', ...MAIL_BUDGET }, to)) > 0) return;
      await this.mailer.send(loginAttackMail(this.config, to));
    })().catch((err: unknown) => {
      this.log.error({ userId: user.id, kind: 'login_alert', requestId: ctx.requestId, cause: err instanceof AppError ? err.detail : String(err) }, 'login_alert mail not sent');
    });
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
    const refusal = user ? mfaRemovalRefusal(user, this.config.onboarding.mfa) : null;
    if (refusal === 'MFA_REQUIRED_BY_ADMIN') throw new ProviderError(refusal, `user ${caller.principal.userId} has mfa_required`);
    if (refusal === 'MFA_REQUIRED_BY_ONBOARDING') throw new ConflictError('MFA_REQUIRED_BY_ONBOARDING', 'Two-factor authentication is required once onboarding has required it; replace it instead');
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
