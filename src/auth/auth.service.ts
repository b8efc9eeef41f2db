import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, ConflictError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { MAILER, type Mailer } from '../mail';
import { type UserEntity, UsersService, type AuditActor } from '../users';
import { AccountFacts } from './account-facts.service';
import { isRecentSignIn, mfaRemovalRefusal } from './mfa-change-rules';
import { AccountCaller, AUTH_PROVIDER, AuthProvider, AuthResult, MfaEnrollment, PasswordAccounts, RequestContext, SecondFactors, TokenSet } from './providers/auth-provider';
import { ProviderError } from './providers/provider-errors';
import { CredentialLimiter, LoginKeys, loginKeys, MAIL_BUDGET, MFA_BUDGET } from './throttling/credential-limiter';
import { loginAttackMail } from './throttling/login-alert.mail';

/** Verification mails (register and resend share it) per address. */
const VERIFICATION_MAIL = { name: 'mail-verification', ...MAIL_BUDGET };

/**
 * The account flows behind /api/v1/auth, whatever the provider: the provider does the provider's work and reports
 * facts; this applies Gatehouse's rules on them once (the ladder and MFA columns through AccountFacts, the
 * `mfa_required` gate, the proof for changing a factor), answers 501 NOT_SUPPORTED for a capability the provider lacks
 * (in `passwords()` / `factors()`), and adds the limits that must hold for every provider (per account, per user) on
 * top of the per-IP limit of the controller's guard.
 */
@Injectable()
export class AuthService {
  private readonly log = new Logger(AuthService.name);

  constructor(
    @Inject(AUTH_PROVIDER) readonly provider: AuthProvider,
    private readonly limiter: CredentialLimiter,
    private readonly users: UsersService,
    private readonly facts: AccountFacts,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The same silent mail budget as resend (shared with it): over it the answer stays 202 and nothing happens, so
   * register can neither mail-bomb a mailbox nor hand out fresh five-try codes at the per-IP rate.
   */
  async register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void> {
    const passwords = this.passwords();
    if ((await this.limiter.hit(VERIFICATION_MAIL, input.email)) > 0) return;
    return passwords.register(input, ctx);
  }

  async confirmEmail(email: string, code: string, ctx: RequestContext): Promise<void> {
    const verified = await this.passwords().confirmEmail(email, code, ctx);
    if (verified) await this.facts.emailVerified(verified, this.actor);
  }

  /** Throws NOT_SUPPORTED for providers that mail no links of their own (the link page says so instead of a form). */
  assertEmailLinks(): void {
    if (!this.provider.passwords?.confirmEmailLink) throw this.unsupported('mailed links');
  }

  async confirmEmailLink(token: string): Promise<void> {
    this.assertEmailLinks();
    await this.facts.emailVerified(await this.passwords().confirmEmailLink!(token), this.actor);
  }

  /** Over the mail budget the answer stays the same 202; only the mail is not sent (no enumeration, no mail bombing). */
  async resendVerification(email: string, ctx: RequestContext): Promise<void> {
    const passwords = this.passwords();
    if ((await this.limiter.hit(VERIFICATION_MAIL, email)) > 0) return;
    return passwords.resendVerification(email, ctx);
  }

  /**
   * Failed attempts are counted whether or not the address exists (the lockout must not reveal accounts), per address
   * and client (a hard lock for that client) and per address (a growing delay for everyone, never a lock for the
   * owner): see login-lockout.ts. The counts are keyed by the last password reset too, so a reset lifts them.
   */
  async login(email: string, password: string, ctx: RequestContext): Promise<AuthResult> {
    const passwords = this.passwords();
    const user = await this.users.findByEmail(email);
    const keys: LoginKeys = loginKeys(email, user?.passwordResetAt, ctx.ip);
    await this.limiter.loginGate(keys);
    let result: AuthResult;
    try {
      result = await passwords.authenticate(email, password, ctx);
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
    return this.factors().respondToMfaChallenge(input, ctx);
  }

  async refresh(refreshToken: string, ctx: RequestContext): Promise<TokenSet> {
    return this.passwords().refreshToken(refreshToken, ctx);
  }

  /** Enrolling while a factor is enabled replaces it: that needs the same proof as removing it. */
  async startMfaEnrollment(caller: AccountCaller, code?: string): Promise<MfaEnrollment> {
    const factors = this.factors();
    const user = await this.users.findById(caller.principal.userId);
    if (user?.mfaMethod) await this.requireFactorProof(factors, caller, code);
    return factors.startMfaEnrollment(caller, code);
  }

  /** The provider enables the factor; Gatehouse records the method and the ladder's mfa_enrolled fact. */
  async verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<{ recoveryCodes?: string[] }> {
    const factors = this.factors();
    await this.limiter.consume({ name: 'mfa-verify', ...MFA_BUDGET }, caller.principal.userId);
    const enabled = await factors.verifyMfaEnrollment(caller, code);
    await this.facts.mfaEnabled(enabled, this.actor);
    return enabled.recoveryCodes ? { recoveryCodes: enabled.recoveryCodes } : {};
  }

  async regenerateRecoveryCodes(caller: AccountCaller, code: string): Promise<string[]> {
    const factors = this.factors();
    if (!factors.regenerateRecoveryCodes) throw this.unsupported('recovery codes');
    await this.limiter.consume({ name: 'mfa-verify', ...MFA_BUDGET }, caller.principal.userId);
    return factors.regenerateRecoveryCodes(caller, code);
  }

  /**
   * A stolen access token alone must not remove the second factor: removal needs the current code (or, where the
   * provider cannot check one, a recent sign-in), and is refused outright once onboarding has required MFA.
   */
  async disableMfa(caller: AccountCaller, code?: string): Promise<void> {
    const factors = this.factors();
    const user = await this.users.findById(caller.principal.userId);
    const refusal = user ? mfaRemovalRefusal(user, this.config.onboarding.mfa) : null;
    if (refusal === 'MFA_REQUIRED_BY_ADMIN') throw new ProviderError(refusal, `user ${caller.principal.userId} has mfa_required`);
    if (refusal === 'MFA_REQUIRED_BY_ONBOARDING') throw new ConflictError('MFA_REQUIRED_BY_ONBOARDING', 'Two-factor authentication is required once onboarding has required it; replace it instead');
    await this.requireFactorProof(factors, caller, code);
    await this.facts.mfaDisabled(await factors.disableMfa(caller, code), this.actor);
  }

  /** The one rule for changing a second factor, for every provider: the current code, else a sign-in within 5 minutes. */
  private async requireFactorProof(factors: SecondFactors, caller: AccountCaller, code: string | undefined): Promise<void> {
    if (factors.checksFactorCodes) {
      if (!code) throw new ProviderError('MFA_CODE_REQUIRED', 'changing a second factor needs the current code');
      // Each guess costs: a stolen token must not brute-force six digits here either.
      await this.limiter.consume({ name: 'mfa-verify', ...MFA_BUDGET }, caller.principal.userId);
      return;
    }
    if (!isRecentSignIn(caller.principal.authTimeMs, Date.now())) throw new ProviderError('REAUTHENTICATION_REQUIRED', 'sign-in older than 5 minutes');
  }

  async requestPasswordReset(email: string, ctx: RequestContext): Promise<void> {
    const passwords = this.passwords();
    if ((await this.limiter.hit({ name: 'mail-reset', ...MAIL_BUDGET }, email)) > 0) return;
    return passwords.requestPasswordReset(email, ctx);
  }

  /** A reset code that was the first proof of the mailbox verifies the address too (reported by the provider). */
  async confirmPasswordReset(input: { email: string; code: string; newPassword: string }, ctx: RequestContext): Promise<void> {
    const verified = await this.passwords().confirmPasswordReset(input, ctx);
    if (verified) await this.facts.emailVerified(verified, this.actor);
  }

  signOut(caller: AccountCaller): Promise<void> {
    return this.provider.signOut(caller);
  }

  /** The audit actor of the facts the provider reports. */
  private get actor(): AuditActor {
    return `provider:${this.provider.name}`;
  }

  /** The one place a missing capability is answered: 501 NOT_SUPPORTED with a stable code, before any other work. */
  private passwords(): PasswordAccounts {
    if (!this.provider.passwords) throw this.unsupported('password accounts');
    return this.provider.passwords;
  }

  private factors(): SecondFactors {
    if (!this.provider.mfa) throw this.unsupported('second factors');
    return this.provider.mfa;
  }

  private unsupported(capability: string): ProviderError {
    return new ProviderError('NOT_SUPPORTED', `${this.provider.name} offers no ${capability}`);
  }
}
