import type { ProviderName } from '../../config/config.types';
import type { Principal } from '../../common/principal';

/** Injection token for the active AuthProvider (chosen from AUTH_PROVIDER, with the local fallback rules). */
export const AUTH_PROVIDER = Symbol('AUTH_PROVIDER');

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  tokenType: 'Bearer';
}

export type ChallengeName = 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'NEW_PASSWORD_REQUIRED';

/** A login either yields tokens or asks for one more step; it never fails silently. */
export type AuthResult = { kind: 'tokens'; tokens: TokenSet } | { kind: 'challenge'; challenge: ChallengeName; session: string };

/** Who is calling, for rate limits, audit rows and mailed links. */
export interface RequestContext {
  ip: string;
  userAgent?: string;
  requestId?: string;
}

/** An authenticated caller of an account endpoint, with the bearer token they presented (Cognito needs it). */
export interface AccountCaller {
  principal: Principal;
  accessToken: string;
}

export interface MfaEnrollment {
  secret: string;
  otpauthUrl: string;
}

/** What a provider reports when a mailbox was proved (a code, a link, a reset code): Gatehouse applies the ladder. */
export interface EmailVerified {
  userId: string;
  verified: true;
  /** How it was proved, for the audit row. */
  via: string;
}

/** What a provider reports when a second factor was enabled (Gatehouse records the method and the ladder fact). */
export interface MfaEnabled {
  userId: string;
  method: 'totp';
  /** It replaced an enabled factor (audited as a replacement). */
  replaced?: boolean;
  /** Single-use recovery codes, shown once, where the provider issues them. */
  recoveryCodes?: string[];
}

/** What a provider reports when the second factor was switched off (Gatehouse clears the method, withdraws the fact). */
export interface MfaDisabled {
  userId: string;
}

/**
 * The active provider, by capability: every provider signs out (Gatehouse's watermark at least); password accounts
 * and second factors only where the provider has them. AuthService answers 501 NOT_SUPPORTED for a capability the
 * provider lacks, in one place. Providers do the provider's work and report facts (`EmailVerified`, `MfaEnabled`,
 * `MfaDisabled`); Gatehouse's rules on those facts (the ladder, the MFA columns, `mfa_required`) are AuthService's.
 * Every failure is an AppError with a stable code (see provider-errors.ts), so a front end branches on `error.code`.
 */
export interface AuthProvider {
  readonly name: ProviderName;
  /** Whether the provider has what it needs to work (settings, reachable dependencies). */
  isAvailable(): Promise<boolean>;
  /** Signs out everywhere: every refresh and access token of the user stops working at Gatehouse. */
  signOut(caller: AccountCaller): Promise<void>;
  readonly passwords?: PasswordAccounts;
  readonly mfa?: SecondFactors;
}

/**
 * Accounts with a password kept by the provider: sign-up, the mailed code, sign-in, refresh, reset.
 *
 * Enumeration safety is part of the contract: `register`, `resendVerification` and `requestPasswordReset` resolve
 * the same way whether or not the address is known, and `authenticate` fails with AUTH_FAILED alike for an unknown
 * user, a wrong password and an unverified email.
 */
export interface PasswordAccounts {
  authenticate(email: string, password: string, ctx: RequestContext): Promise<AuthResult>;
  register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void>;
  refreshToken(refreshToken: string, ctx: RequestContext): Promise<TokenSet>;
  /** The address proved by its code; null when the provider found no Gatehouse identity to report. */
  confirmEmail(email: string, code: string, ctx: RequestContext): Promise<EmailVerified | null>;
  resendVerification(email: string, ctx: RequestContext): Promise<void>;
  requestPasswordReset(email: string, ctx: RequestContext): Promise<void>;
  /** The new password is set; reports the address proved when the reset code was the first proof of the mailbox. */
  confirmPasswordReset(input: { email: string; code: string; newPassword: string }, ctx: RequestContext): Promise<EmailVerified | null>;
  /** Optional: verifies the address through the token of a mailed link (providers that mail their own links). */
  confirmEmailLink?(token: string): Promise<EmailVerified>;
}

/** Second factors kept by the provider: the sign-in challenge, enrolment, removal, recovery codes. */
export interface SecondFactors {
  /** `code` is a TOTP code, an SMS code, a recovery code, or the new password for NEW_PASSWORD_REQUIRED. */
  respondToMfaChallenge(input: { session: string; code: string; email?: string; challenge?: ChallengeName }, ctx: RequestContext): Promise<AuthResult>;
  /**
   * Whether the provider checks a current TOTP or recovery code (`code`) itself before a second factor is replaced or
   * removed. Where it cannot (Cognito checks codes only at sign-in), AuthService requires a recent sign-in instead.
   */
  readonly checksFactorCodes?: boolean;
  /** Starts enrolment; replacing an enabled factor needs `code` where the provider checks codes. */
  startMfaEnrollment(caller: AccountCaller, code?: string): Promise<MfaEnrollment>;
  /** Enables TOTP at the provider and reports it (recovery codes once, where the provider issues them). */
  verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<MfaEnabled>;
  /** Switches the second factor off at the provider; `code` (a current TOTP or recovery code) where it checks codes. */
  disableMfa(caller: AccountCaller, code?: string): Promise<MfaDisabled>;
  /** Optional: replaces the recovery codes after a fresh authenticator code (providers that issue them). */
  regenerateRecoveryCodes?(caller: AccountCaller, code: string): Promise<string[]>;
}
