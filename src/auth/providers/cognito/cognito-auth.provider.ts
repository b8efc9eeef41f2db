import {
  AssociateSoftwareTokenCommand,
  ChallengeNameType,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  InitiateAuthCommandOutput,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ForbiddenError } from '../../../common/errors/app-error';
import type { Principal } from '../../../common/principal';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../../config/config.types';
import { OnboardingService } from '../../../users/onboarding/onboarding.service';
import { BLOCKED_STATUSES } from '../../../users/onboarding/transitions';
import type { UserEntity } from '../../../users/user.entity';
import { UsersService } from '../../../users/users.service';
import type { AccountCaller, AuthProvider, AuthResult, ChallengeName, MfaEnrollment, RequestContext, TokenSet } from '../auth-provider';
import { validateWithBoundVerifier } from '../bearer-token-validator';
import { ProviderError } from '../provider-errors';
import { CredentialLimiter } from '../../throttling/credential-limiter';
import { COGNITO_CLIENT, secretHashField, secretHashParam } from './cognito-client.factory';
import { CognitoCallContext, isCognitoError, mapCognitoError } from './cognito-errors';
import { COGNITO_ACTOR, CognitoIdentities } from './cognito-identities';
import { PoolPasswordPolicyCache, poolPasswordViolation } from './cognito-password-policy';
import { CognitoRegistration } from './cognito-registration';
import { CHALLENGE_TTL_MS, ChallengeSessionSealer, toTokenSet, unverifiedAuthTimeMs, unverifiedSub, unwrapRefreshToken, wrapRefreshToken } from './cognito-session';

export { BEARER_TOKEN_VALIDATOR, type BearerTokenValidator } from '../bearer-token-validator';

const CHALLENGES: readonly ChallengeName[] = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'NEW_PASSWORD_REQUIRED'];
const ISSUER_NAME = 'Gatehouse';
const ACTOR = COGNITO_ACTOR;
/** #20.12: answers per challenge session, as the local provider allows; then the session is spent. */
const CHALLENGE_BUDGET = { name: 'cognito-mfa-session', limit: 5, windowS: CHALLENGE_TTL_MS / 1000, blockS: CHALLENGE_TTL_MS / 1000 };

/**
 * AuthProvider over a Cognito user pool (USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH app client, email as username).
 * Cognito owns passwords, codes and TOTP secrets; Gatehouse mirrors what its gate needs into auth.users (email
 * verification, the onboarding step, MFA columns, reset time) and owns revocation through the user's watermark.
 */
@Injectable()
export class CognitoAuthProvider implements AuthProvider {
  readonly name = 'cognito' as const;
  private readonly log = new Logger(CognitoAuthProvider.name);
  private readonly sealer: ChallengeSessionSealer;
  private readonly passwordPolicy?: PoolPasswordPolicyCache;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
    private readonly users: UsersService,
    private readonly onboarding: OnboardingService,
    private readonly moduleRef: ModuleRef,
    private readonly identities: CognitoIdentities,
    private readonly registration: CognitoRegistration,
    private readonly limiter: CredentialLimiter,
  ) {
    // SESSION_SECRET when set (every instance opens every session); else a per-process key: a challenge then has to be
    // answered at the instance that issued it, within five minutes anyway.
    this.sealer = new ChallengeSessionSealer(config.auth.hosted.sessionSecret ?? randomBytes(32));
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

  async authenticate(email: string, password: string, _ctx: RequestContext): Promise<AuthResult> {
    const c = this.cognito();
    const out = await this.call('login', 'InitiateAuth', () =>
      this.client.send(
        new InitiateAuthCommand({ ClientId: c.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password, ...secretHashParam(c, email) } }),
      ),
    );
    return this.toAuthResult(out, email);
  }

  /** Checks what does not depend on the address, answers, and signs up after the answer (see CognitoRegistration). */
  async register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void> {
    this.cognito();
    await this.checkPasswordPolicy(input.password);
    this.registration.start(input, ctx.requestId);
  }

  validateToken(token: string): Promise<Principal> {
    return validateWithBoundVerifier(this.moduleRef, token);
  }

  /**
   * #20.1: Cognito's refresh tokens outlive a reset or sign-out (ConfirmForgotPassword does not revoke them, and a
   * GlobalSignOut can fail), so Gatehouse refuses to refresh a session that began before the user's watermark, or
   * for a blocked user: checked on the row before calling Cognito when the token names its user, and again on what
   * Cognito answered (its `auth_time` is the original sign-in).
   */
  async refreshToken(refreshToken: string, _ctx: RequestContext): Promise<TokenSet> {
    const c = this.cognito();
    const { username, authTimeMs, token } = unwrapRefreshToken(refreshToken);
    if (c.clientSecret && !username) throw new ProviderError('REFRESH_TOKEN_INVALID', 'refresh token without username while the client has a secret');
    if (username) this.refuseRefresh(await this.identities.rowOf(username), authTimeMs);
    const out = await this.call('refresh', 'InitiateAuth', () =>
      this.client.send(
        new InitiateAuthCommand({ ClientId: c.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token, ...(username ? secretHashParam(c, username) : {}) } }),
      ),
    );
    const result = out.AuthenticationResult;
    if (!result?.AccessToken) throw new ProviderError('REFRESH_TOKEN_INVALID', `cognito refresh answered ${out.ChallengeName ?? 'without tokens'}`);
    const sub = unverifiedSub(result.AccessToken);
    const began = Math.min(authTimeMs ?? Infinity, unverifiedAuthTimeMs(result.AccessToken) ?? Infinity);
    if (sub) this.refuseRefresh(await this.identities.rowOf(sub), Number.isFinite(began) ? began : undefined);
    // Cognito normally keeps the refresh token (no rotation): the client keeps using the one it has.
    const next = result.RefreshToken ? this.clientRefreshToken(result.RefreshToken, sub ?? username, began) : refreshToken;
    return toTokenSet(result, next);
  }

  /** Acts on the identity Cognito confirmed (found by sub), never on whichever row holds the address. */
  async confirmEmail(email: string, code: string, _ctx: RequestContext): Promise<void> {
    const c = this.cognito();
    await this.call('code', 'ConfirmSignUp', () =>
      this.client.send(new ConfirmSignUpCommand({ ClientId: c.clientId, Username: email, ConfirmationCode: code, ...secretHashField(c, email) })),
    );
    const identity = await this.identities.lookup(email);
    if (!identity) return;
    // Provisions the row when sign-up could not (409 EMAIL_IN_USE when another identity holds the address).
    const { user } = await this.identities.ensureRow(identity.sub, email, { emailVerified: false, fullName: null });
    // pending_verification → pending_approval with email_verified in the same UPDATE; from any later state only the flag.
    const stepped = await this.onboarding.tryApply(user.id, 'EMAIL_VERIFIED', ACTOR, { via: 'cognito.confirm_sign_up' }, { email_verified: 'true' });
    if (!stepped && !user.emailVerified) {
      await this.users.updateProfile(user.id, { emailVerified: true }, { actor: ACTOR, type: 'email.verified', detail: { via: 'cognito.confirm_sign_up' } });
    }
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

  async respondToMfaChallenge(input: { session: string; code: string; email?: string; challenge?: ChallengeName }, _ctx: RequestContext): Promise<AuthResult> {
    const c = this.cognito();
    // #20.11: only a session Gatehouse sealed, unexpired, ever reaches Cognito.
    const s = this.sealer.open(input.session);
    if (!s) throw new ProviderError('MFA_SESSION_INVALID', 'not a live Gatehouse cognito challenge session');
    if (input.challenge && input.challenge !== s.c) throw new ProviderError('MFA_SESSION_INVALID', `challenge ${input.challenge} does not match session ${s.c}`);
    if (input.email && input.email.toLowerCase() !== s.e.toLowerCase()) throw new ProviderError('MFA_SESSION_INVALID', 'email does not match the session');
    if ((await this.limiter.hit(CHALLENGE_BUDGET, s.id)) > 0) throw new ProviderError('MFA_SESSION_INVALID', 'challenge attempts spent');
    const answer: Record<string, string> =
      s.c === 'SOFTWARE_TOKEN_MFA' ? { SOFTWARE_TOKEN_MFA_CODE: input.code } : s.c === 'SMS_MFA' ? { SMS_MFA_CODE: input.code } : { NEW_PASSWORD: input.code };
    const out = await this.call('mfa', 'RespondToAuthChallenge', () =>
      this.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: c.clientId,
          ChallengeName: s.c,
          Session: s.s,
          ChallengeResponses: { USERNAME: s.u, ...answer, ...secretHashParam(c, s.u) },
        }),
      ),
    );
    return this.toAuthResult(out, s.e, s.u, s.c !== 'NEW_PASSWORD_REQUIRED');
  }

  async startMfaEnrollment(caller: AccountCaller): Promise<MfaEnrollment> {
    const out = await this.call('account', 'AssociateSoftwareToken', () => this.client.send(new AssociateSoftwareTokenCommand({ AccessToken: caller.accessToken })));
    const secret = out.SecretCode as string;
    const label = encodeURIComponent(`${ISSUER_NAME}:${caller.principal.email ?? caller.principal.subject}`);
    return { secret, otpauthUrl: `otpauth://totp/${label}?secret=${secret}&issuer=${ISSUER_NAME}` };
  }

  async verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<{ recoveryCodes?: string[] }> {
    const out = await this.call('mfa', 'VerifySoftwareToken', () =>
      this.client.send(new VerifySoftwareTokenCommand({ AccessToken: caller.accessToken, UserCode: code, FriendlyDeviceName: ISSUER_NAME })),
    );
    if (out.Status !== 'SUCCESS') throw new ProviderError('MFA_CODE_INVALID', `VerifySoftwareToken status ${out.Status ?? 'none'}`);
    // Without this second call Cognito keeps the verified token but never asks for it at sign-in.
    await this.call('account', 'SetUserMFAPreference', () =>
      this.client.send(new SetUserMFAPreferenceCommand({ AccessToken: caller.accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } })),
    );
    const userId = caller.principal.userId;
    await this.users.updateProfile(userId, { mfaMethod: 'totp', mfaEnrolledAt: new Date() }, { actor: ACTOR, type: 'mfa.enrolled', detail: { method: 'totp' } });
    await this.onboarding.tryApply(userId, 'MFA_ENROLLED', ACTOR, { method: 'totp' });
    return {};
  }

  async disableMfa(caller: AccountCaller): Promise<void> {
    const user = await this.users.findById(caller.principal.userId);
    if (user?.mfaRequired) throw new ProviderError('MFA_REQUIRED_BY_ADMIN', `user ${user.id} has mfa_required`);
    await this.call('account', 'SetUserMFAPreference', () =>
      this.client.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: caller.accessToken,
          SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
          SMSMfaSettings: { Enabled: false, PreferredMfa: false },
        }),
      ),
    );
    await this.users.updateProfile(caller.principal.userId, { mfaMethod: null, mfaEnrolledAt: null }, { actor: ACTOR, type: 'mfa.disabled' });
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
  async confirmPasswordReset(input: { email: string; code: string; newPassword: string }, _ctx: RequestContext): Promise<void> {
    const c = this.cognito();
    await this.checkPasswordPolicy(input.newPassword);
    await this.call('code', 'ConfirmForgotPassword', () =>
      this.client.send(
        new ConfirmForgotPasswordCommand({ ClientId: c.clientId, Username: input.email, ConfirmationCode: input.code, Password: input.newPassword, ...secretHashField(c, input.email) }),
      ),
    );
    const identity = await this.identities.lookup(input.email);
    if (!identity) return;
    const user = await this.identities.rowOf(identity.sub);
    if (user) {
      await this.users.updateProfile(user.id, { passwordResetAt: new Date() }, { actor: ACTOR, type: 'password.reset' });
      // A new password ends every session: Cognito's access tokens stay valid offline, so Gatehouse's watermark does it.
      await this.users.revokeTokens(user.id, ACTOR, 'password_reset');
    }
    // ConfirmForgotPassword leaves the refresh tokens alive at Cognito (#20.1).
    await this.identities.signOutEverywhere(identity.username, 'password_reset');
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

  /** Refresh tokens carry the Cognito username and when the session began (see cognito-session.ts). */
  private clientRefreshToken(token: string, username: string | undefined, beganMs: number): string {
    return username ? wrapRefreshToken(username, token, Number.isFinite(beganMs) ? beganMs : Date.now()) : token;
  }

  private refuseRefresh(user: UserEntity | null, sessionBeganMs: number | undefined): void {
    if (!user) return;
    this.refuseBlockedUser(user);
    if (user.tokensValidAfter && sessionBeganMs !== undefined && sessionBeganMs < user.tokensValidAfter.getTime()) {
      throw new ProviderError('REFRESH_TOKEN_INVALID', `session began ${sessionBeganMs} before watermark ${user.tokensValidAfter.getTime()}`);
    }
  }

  /**
   * Tokens, or the next step: a challenge is always surfaced, never turned into a silent failure. `secondFactor`:
   * the tokens answer a TOTP/SMS challenge (else they came from the password alone).
   */
  private async toAuthResult(out: InitiateAuthCommandOutput, email: string, knownUsername?: string, secondFactor = false): Promise<AuthResult> {
    const username = out.ChallengeParameters?.USER_ID_FOR_SRP ?? knownUsername ?? email;
    if (out.AuthenticationResult?.AccessToken) {
      const r = out.AuthenticationResult;
      const sub = unverifiedSub(r.IdToken ?? r.AccessToken);
      if (sub) this.refuseBlockedUser(await this.identities.rowOf(sub));
      // Cognito's claims are Cognito's (the tokens answer our own call). 409 EMAIL_IN_USE, and no tokens, when the
      // address belongs to another Gatehouse identity.
      const user = await this.identities.syncFromIdToken(r.IdToken);
      if (!secondFactor && user) await this.enforceMfa(user);
      const began = unverifiedAuthTimeMs(r.AccessToken) ?? Date.now();
      return { kind: 'tokens', tokens: toTokenSet(r, r.RefreshToken ? this.clientRefreshToken(r.RefreshToken, unverifiedSub(r.AccessToken) ?? username, began) : undefined) };
    }
    const challenge = out.ChallengeName;
    if (challenge && (CHALLENGES as readonly string[]).includes(challenge) && out.Session) {
      return { kind: 'challenge', challenge: challenge as ChallengeName, session: this.sealer.seal({ u: username, e: email, c: challenge as ChallengeName, s: out.Session }) };
    }
    if (challenge === ChallengeNameType.SELECT_MFA_TYPE && out.Session) {
      // Both SMS and TOTP are enabled: Gatehouse prefers the authenticator app.
      const c = this.cognito();
      const next = await this.call('mfa', 'RespondToAuthChallenge', () =>
        this.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: c.clientId,
            ChallengeName: 'SELECT_MFA_TYPE',
            Session: out.Session,
            ChallengeResponses: { USERNAME: username, ANSWER: 'SOFTWARE_TOKEN_MFA', ...secretHashParam(c, username) },
          }),
        ),
      );
      return this.toAuthResult(next, email, username);
    }
    // MFA_SETUP (pool MFA is ON and the user has no factor yet) and anything else Gatehouse does not drive.
    throw new ProviderError('MFA_REQUIRED', `cognito answered challenge ${challenge ?? 'none'} without tokens`);
  }

  /**
   * #20.4: Cognito handed out tokens for the password alone, but Gatehouse's row says TOTP is enrolled: the factor was
   * switched off behind Gatehouse (SetUserMFAPreference with any of the user's access tokens). Refused with
   * MFA_REQUIRED, and TOTP is put back as the preferred factor so the next sign-in is challenged again; if that fails
   * the user stays refused (fail closed) until an administrator looks. A pool with MFA `ON` removes the question.
   */
  private async enforceMfa(user: UserEntity): Promise<void> {
    if (user.mfaMethod === null) return;
    const restored = await this.identities.restoreTotp(user.subject);
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.mfa_bypass_refused', detail: { restored } });
    throw new ProviderError('MFA_REQUIRED', `cognito issued tokens without the enrolled factor (preference restored: ${restored})`);
  }

  /**
   * Cognito refuses disabled users, but its emulator does not and Gatehouse's own states (suspended, rejected) are
   * not Cognito's: a blocked account gets no fresh tokens here (the guard would refuse them anyway).
   */
  private refuseBlockedUser(user: UserEntity | null): void {
    if (user && BLOCKED_STATUSES.includes(user.status)) {
      throw new ForbiddenError(`USER_${user.status.toUpperCase()}`, 'This account cannot sign in', { status: user.status });
    }
  }
}
