import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GlobalSignOutCommand,
  ResendConfirmationCodeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../../config/config.types';
import { UsersService } from '../../../users';
import type { AccountCaller, AuthProvider, AuthResult, ChallengeName, EmailVerified, MfaDisabled, MfaEnabled, MfaEnrollment, PasswordAccounts, RequestContext, SecondFactors, TokenSet } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { COGNITO_CLIENT, secretHashField } from './cognito-client.factory';
import { CognitoCallContext, isCognitoError, mapCognitoError } from './cognito-errors';
import { COGNITO_ACTOR as ACTOR, CognitoIdentities } from './cognito-identities';
import { CognitoFactorChanges } from './cognito-factor-changes';
import { CognitoMfaMode } from './cognito-mfa-mode';
import { PoolPasswordPolicyCache, poolPasswordViolation } from './cognito-password-policy';
import { CognitoRegistration } from './cognito-registration';
import { CognitoSignIn } from './cognito-sign-in';

const ISSUER_NAME = 'Gatehouse';

/**
 * AuthProvider over a Cognito user pool (USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH app client, email as username).
 * Cognito owns passwords, codes and TOTP secrets; Gatehouse mirrors what its gate needs into auth.users (email
 * verification, the onboarding step, MFA columns, reset time) and owns revocation through the user's watermark.
 */
@Injectable()
export class CognitoAuthProvider implements AuthProvider, PasswordAccounts, SecondFactors {
  readonly name = 'cognito' as const;
  readonly passwords: PasswordAccounts = this;
  readonly mfa: SecondFactors = this;
  private readonly passwordPolicy?: PoolPasswordPolicyCache;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
    private readonly users: UsersService,
    private readonly identities: CognitoIdentities,
    private readonly registration: CognitoRegistration,
    private readonly signIn: CognitoSignIn,
    private readonly mfaMode: CognitoMfaMode,
    private readonly factorChanges: CognitoFactorChanges,
  ) {
    if (config.auth.cognito) this.passwordPolicy = new PoolPasswordPolicyCache(client, config.auth.cognito.userPoolId);
  }

  /** Resolves once the registrations answered so far have done their Cognito work (tests, shutdown). */
  whenIdle(): Promise<void> {
    return this.registration.whenIdle();
  }

  /** Pool id and client id configured (config validation already checked their form). No network probe. */
  isAvailable(): Promise<boolean> {
    const c = this.config.auth.cognito;
    return Promise.resolve(Boolean(c?.userPoolId && c.clientId));
  }

  authenticate(email: string, password: string, ctx: RequestContext): Promise<AuthResult> {
    return this.signIn.authenticate(email, password, ctx);
  }

  /** Checks what does not depend on the address, answers, and signs up after the answer (see CognitoRegistration). */
  async register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void> {
    this.cognito();
    await this.checkPasswordPolicy(input.password);
    this.registration.start(input, ctx.requestId);
  }

  refreshToken(refreshToken: string, ctx: RequestContext): Promise<TokenSet> {
    return this.signIn.refreshToken(refreshToken, ctx);
  }

  /** Acts on the identity Cognito confirmed (found by sub), never on whichever row holds the address. */
  async confirmEmail(email: string, code: string, _ctx: RequestContext): Promise<EmailVerified | null> {
    const c = this.cognito();
    await this.call('code', 'ConfirmSignUp', () =>
      this.client.send(new ConfirmSignUpCommand({ ClientId: c.clientId, Username: email, ConfirmationCode: code, ...secretHashField(c, email) })),
    );
    const identity = await this.identities.lookup(email);
    if (!identity) return null;
    // Provisions the row when sign-up could not (409 EMAIL_IN_USE when another identity holds the address).
    const { user } = await this.identities.ensureRow(identity.sub, email, { emailVerified: false, fullName: null });
    return { userId: user.id, verified: true, via: 'cognito.confirm_sign_up' };
  }

  async resendVerification(email: string, _ctx: RequestContext): Promise<void> {
    const c = this.cognito();
    try {
      await this.client.send(new ResendConfirmationCodeCommand({ ClientId: c.clientId, Username: email, ...secretHashField(c, email) }));
    } catch (err) {
      // Enumeration safety: unknown and already-confirmed addresses (InvalidParameterException) answer like success,
      // and so does Cognito's throttling, which only existing users meet (#20.14).
      if (isCognitoError(err, 'UserNotFoundException', 'InvalidParameterException', 'LimitExceededException')) return;
      throw mapCognitoError(err, 'other', 'ResendConfirmationCode');
    }
  }

  respondToMfaChallenge(input: { session: string; code: string; email?: string; challenge?: ChallengeName }, ctx: RequestContext): Promise<AuthResult> {
    return this.signIn.respondToMfaChallenge(input, ctx);
  }

  async startMfaEnrollment(caller: AccountCaller): Promise<MfaEnrollment> {
    // A pool with MFA OFF would take the enrolment and never ask for the factor: refuse rather than pretend.
    await this.mfaMode.assertAvailable();
    const out = await this.call('account', 'AssociateSoftwareToken', () => this.client.send(new AssociateSoftwareTokenCommand({ AccessToken: caller.accessToken })));
    const secret = out.SecretCode as string;
    const label = encodeURIComponent(`${ISSUER_NAME}:${caller.principal.email ?? caller.principal.subject}`);
    return { secret, otpauthUrl: `otpauth://totp/${label}?secret=${secret}&issuer=${ISSUER_NAME}` };
  }

  async verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<MfaEnabled> {
    await this.mfaMode.assertAvailable();
    // A factor already on the row means this enrolment replaces it (AuthService asked for the proof of that).
    const replaced = Boolean((await this.users.findById(caller.principal.userId))?.mfaMethod);
    const out = await this.call('mfa', 'VerifySoftwareToken', () =>
      this.client.send(new VerifySoftwareTokenCommand({ AccessToken: caller.accessToken, UserCode: code, FriendlyDeviceName: ISSUER_NAME })),
    );
    if (out.Status !== 'SUCCESS') throw new ProviderError('MFA_CODE_INVALID', `VerifySoftwareToken status ${out.Status ?? 'none'}`);
    // Without this second call Cognito keeps the verified token but never asks for it at sign-in.
    await this.call('account', 'SetUserMFAPreference', () =>
      this.client.send(new SetUserMFAPreferenceCommand({ AccessToken: caller.accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } })),
    );
    await this.factorChanges.after(caller, replaced ? 'replaced' : 'enabled');
    return { userId: caller.principal.userId, method: 'totp', ...(replaced ? { replaced } : {}) };
  }

  /** AuthService has already applied the mfa_required and onboarding rules and the recent-sign-in proof. */
  async disableMfa(caller: AccountCaller): Promise<MfaDisabled> {
    await this.call('account', 'SetUserMFAPreference', () =>
      this.client.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: caller.accessToken,
          SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
          SMSMfaSettings: { Enabled: false, PreferredMfa: false },
        }),
      ),
    );
    await this.factorChanges.after(caller, 'removed');
    return { userId: caller.principal.userId };
  }

  async requestPasswordReset(email: string, _ctx: RequestContext): Promise<void> {
    const c = this.cognito();
    try {
      await this.client.send(new ForgotPasswordCommand({ ClientId: c.clientId, Username: email, ...secretHashField(c, email) }));
    } catch (err) {
      // Enumeration safety: unknown addresses, unverified ones (InvalidParameterException), disabled users
      // (NotAuthorizedException) and Cognito's throttling, which only existing users meet (#20.14), answer like success.
      if (isCognitoError(err, 'UserNotFoundException', 'InvalidParameterException', 'NotAuthorizedException', 'LimitExceededException')) return;
      throw mapCognitoError(err, 'other', 'ForgotPassword');
    }
  }

  /**
   * The pool's password policy first (Cognito checks it only for existing users), then the code; the identity reset
   * (found by sub) is revoked at Gatehouse and signed out at Cognito, whichever row holds the address.
   */
  async confirmPasswordReset(input: { email: string; code: string; newPassword: string }, _ctx: RequestContext): Promise<null> {
    const c = this.cognito();
    await this.checkPasswordPolicy(input.newPassword);
    await this.call('code', 'ConfirmForgotPassword', () =>
      this.client.send(
        new ConfirmForgotPasswordCommand({ ClientId: c.clientId, Username: input.email, ConfirmationCode: input.code, Password: input.newPassword, ...secretHashField(c, input.email) }),
      ),
    );
    const identity = await this.identities.lookup(input.email);
    if (!identity) return null;
    const user = await this.identities.rowOf(identity.sub);
    if (user) {
      await this.users.updateProfile(user.id, { passwordResetAt: new Date() }, { actor: ACTOR, type: 'password.reset' });
      // A new password ends every session: Cognito's access tokens stay valid offline, so Gatehouse's watermark does it.
      await this.users.revokeTokens(user.id, ACTOR, 'password_reset');
    }
    // ConfirmForgotPassword leaves the refresh tokens alive at Cognito (#20.1).
    await this.identities.signOutEverywhere(identity.username, 'password_reset');
    return null;
  }

  async signOut(caller: AccountCaller): Promise<void> {
    // The watermark first: it is what makes already-issued access tokens stop working at Gatehouse, and it must hold
    // even when Cognito cannot be reached.
    await this.users.revokeTokens(caller.principal.userId, `user:${caller.principal.userId}`, 'sign_out');
    try {
      await this.client.send(new GlobalSignOutCommand({ AccessToken: caller.accessToken }));
    } catch (err) {
      // Already signed out at Cognito (token revoked): nothing left to do there.
      if (isCognitoError(err, 'NotAuthorizedException')) return;
      // Otherwise the refresh tokens are still live at Cognito: tell the client so it can retry.
      throw mapCognitoError(err, 'account', 'GlobalSignOut');
    }
  }

  private cognito(): CognitoConfig {
    const c = this.config.auth.cognito;
    if (!c) throw new ProviderError('PROVIDER_UNAVAILABLE', 'Cognito is not configured');
    return c;
  }

  private async call<T>(ctx: CognitoCallContext, operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapCognitoError(err, ctx, operation);
    }
  }

  /** The pool's policy, before any Cognito call, so the answer is the same for every address (#9). */
  private async checkPasswordPolicy(password: string): Promise<void> {
    const policy = await this.passwordPolicy?.get();
    const violation = policy && poolPasswordViolation(password, policy);
    if (violation) throw new ProviderError('PASSWORD_POLICY', violation, policy.minLength !== undefined ? { minLength: policy.minLength } : undefined);
  }

}
