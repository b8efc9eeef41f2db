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

/**
 * One interface for every provider. Every failure is an AppError with a stable code (see provider-errors.ts), so a
 * front end branches on `error.code` and never on provider text.
 *
 * Enumeration safety is part of the contract: `register`, `resendVerification` and `requestPasswordReset` resolve
 * the same way whether or not the address is known, and `authenticate` fails with AUTH_FAILED alike for an unknown
 * user, a wrong password and an unverified email.
 */
export interface AuthProvider {
  readonly name: ProviderName;
  /** Whether the provider has what it needs to work (settings, reachable dependencies). */
  isAvailable(): Promise<boolean>;
  authenticate(email: string, password: string, ctx: RequestContext): Promise<AuthResult>;
  register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void>;
  refreshToken(refreshToken: string, ctx: RequestContext): Promise<TokenSet>;
  confirmEmail(email: string, code: string, ctx: RequestContext): Promise<void>;
  resendVerification(email: string, ctx: RequestContext): Promise<void>;
  /** `code` is a TOTP code, an SMS code, a recovery code, or the new password for NEW_PASSWORD_REQUIRED. */
  respondToMfaChallenge(input: { session: string; code: string; email?: string; challenge?: ChallengeName }, ctx: RequestContext): Promise<AuthResult>;
  /**
   * Whether the provider checks a current TOTP or recovery code (`code`) itself before a second factor is replaced or
   * removed. Where it cannot (Cognito checks codes only at sign-in), AuthService requires a recent sign-in instead.
   */
  readonly checksFactorCodes?: boolean;
  /** Starts enrolment; replacing an enabled factor needs `code` where the provider checks codes. */
  startMfaEnrollment(caller: AccountCaller, code?: string): Promise<MfaEnrollment>;
  /** Enables TOTP; returns single-use recovery codes once where the provider issues them. */
  verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<{ recoveryCodes?: string[] }>;
  /** Switches the second factor off; `code` (a current TOTP or recovery code) where the provider checks codes. */
  disableMfa(caller: AccountCaller, code?: string): Promise<void>;
  requestPasswordReset(email: string, ctx: RequestContext): Promise<void>;
  confirmPasswordReset(input: { email: string; code: string; newPassword: string }, ctx: RequestContext): Promise<void>;
  /** Signs out everywhere: every refresh and access token of the user stops working at Gatehouse. */
  signOut(caller: AccountCaller): Promise<void>;
  /** Optional: verifies the address through the token of a mailed link (providers that mail their own links). */
  confirmEmailLink?(token: string): Promise<void>;
  /** Optional: replaces the recovery codes after a fresh authenticator code (providers that issue them). */
  regenerateRecoveryCodes?(caller: AccountCaller, code: string): Promise<string[]>;
}
