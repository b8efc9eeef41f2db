import { Injectable } from '@nestjs/common';
import type { AccountCaller, AuthProvider, AuthResult, EmailVerified, MfaDisabled, MfaEnabled, MfaEnrollment, PasswordAccounts, RequestContext, SecondFactors, TokenSet } from '../auth-provider';
import { LocalFactors } from './local-factors';
import { LocalRecovery } from './local-recovery';
import { LocalRegistration } from './local-registration';
import { LocalSessions } from './local-sessions';
import { LocalSignIn } from './local-sign-in';

export { LOCAL_LIMITS } from './local-limits';

/**
 * The reference provider: Gatehouse's own users table, argon2id passwords, mailed codes, TOTP with recovery codes,
 * its own RS256 access tokens and rotating refresh tokens. Needs nothing but Postgres (and SMTP for real mail).
 * A thin facade: each flow lives in its own class (registration, sign-in, factors, sessions, recovery).
 */
@Injectable()
export class LocalAuthProvider implements AuthProvider, PasswordAccounts, SecondFactors {
  readonly name = 'local' as const;
  readonly passwords: PasswordAccounts = this;
  readonly mfa: SecondFactors = this;
  /** Replacing or removing TOTP is checked against its current code (or a recovery code) here. */
  readonly checksFactorCodes = true;

  constructor(
    private readonly registration: LocalRegistration,
    private readonly signIn: LocalSignIn,
    private readonly factors: LocalFactors,
    private readonly sessions: LocalSessions,
    private readonly recovery: LocalRecovery,
  ) {}

  async isAvailable(): Promise<boolean> {
    return true;
  }

  register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void> {
    return this.registration.register(input, ctx);
  }

  confirmEmail(email: string, code: string, ctx: RequestContext): Promise<EmailVerified | null> {
    return this.registration.confirmEmail(email, code, ctx);
  }

  confirmEmailLink(token: string): Promise<EmailVerified> {
    return this.registration.confirmEmailLink(token);
  }

  resendVerification(email: string, ctx: RequestContext): Promise<void> {
    return this.registration.resendVerification(email, ctx);
  }

  authenticate(email: string, password: string, ctx: RequestContext): Promise<AuthResult> {
    return this.signIn.authenticate(email, password, ctx);
  }

  respondToMfaChallenge(input: { session: string; code: string; email?: string }, ctx: RequestContext): Promise<AuthResult> {
    return this.signIn.respondToMfaChallenge(input, ctx);
  }

  refreshToken(refreshToken: string, ctx: RequestContext): Promise<TokenSet> {
    return this.sessions.refreshToken(refreshToken, ctx);
  }

  startMfaEnrollment(caller: AccountCaller, code?: string): Promise<MfaEnrollment> {
    return this.factors.startMfaEnrollment(caller, code);
  }

  verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<MfaEnabled> {
    return this.factors.verifyMfaEnrollment(caller, code);
  }

  regenerateRecoveryCodes(caller: AccountCaller, code: string): Promise<string[]> {
    return this.factors.regenerateRecoveryCodes(caller, code);
  }

  disableMfa(caller: AccountCaller, code?: string): Promise<MfaDisabled> {
    return this.factors.disableMfa(caller, code);
  }

  requestPasswordReset(email: string, ctx: RequestContext): Promise<void> {
    return this.recovery.requestPasswordReset(email, ctx);
  }

  confirmPasswordReset(input: { email: string; code: string; newPassword: string }, ctx: RequestContext): Promise<EmailVerified | null> {
    return this.recovery.confirmPasswordReset(input, ctx);
  }

  signOut(caller: AccountCaller): Promise<void> {
    return this.sessions.signOut(caller);
  }
}
