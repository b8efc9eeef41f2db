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
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConflictError, ForbiddenError } from '../../../common/errors/app-error';
import type { Principal } from '../../../common/principal';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../../config/config.types';
import { OnboardingService } from '../../../users/onboarding/onboarding.service';
import { BLOCKED_STATUSES, initialStatus } from '../../../users/onboarding/transitions';
import { UsersService } from '../../../users/users.service';
import type { AccountCaller, AuthProvider, AuthResult, ChallengeName, MfaEnrollment, RequestContext, TokenSet } from '../auth-provider';
import { validateWithBoundVerifier } from '../bearer-token-validator';
import { ProviderError } from '../provider-errors';
import { COGNITO_CLIENT, secretHashField, secretHashParam } from './cognito-client.factory';
import { CognitoCallContext, isCognitoError, mapCognitoError } from './cognito-errors';
import { decodeChallengeSession, encodeChallengeSession, toTokenSet, unverifiedClaims, unverifiedSub, unwrapRefreshToken, wrapRefreshToken } from './cognito-session';

export { BEARER_TOKEN_VALIDATOR, type BearerTokenValidator } from '../bearer-token-validator';

const CHALLENGES: readonly ChallengeName[] = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'NEW_PASSWORD_REQUIRED'];
const ISSUER_NAME = 'Gatehouse';
const ACTOR = 'provider:cognito';

/**
 * AuthProvider over a Cognito user pool (USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH app client, email as username).
 * Cognito owns passwords, codes and TOTP secrets; Gatehouse mirrors what its gate needs into auth.users (email
 * verification, the onboarding step, MFA columns, reset time) and owns revocation through the user's watermark.
 */
@Injectable()
export class CognitoAuthProvider implements AuthProvider {
  readonly name = 'cognito' as const;
  private readonly log = new Logger(CognitoAuthProvider.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
    private readonly users: UsersService,
    private readonly onboarding: OnboardingService,
    private readonly moduleRef: ModuleRef,
  ) {}

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

  async register(input: { email: string; password: string; fullName?: string }, _ctx: RequestContext): Promise<void> {
    const c = this.cognito();
    const attributes = [{ Name: 'email', Value: input.email }, ...(input.fullName ? [{ Name: 'name', Value: input.fullName }] : [])];
    let sub: string;
    try {
      const out = await this.client.send(
        new SignUpCommand({ ClientId: c.clientId, Username: input.email, Password: input.password, UserAttributes: attributes, ...secretHashField(c, input.email) }),
      );
      sub = out.UserSub as string;
    } catch (err) {
      // Enumeration safety: an address that already has an account answers exactly like a new one.
      if (isCognitoError(err, 'UsernameExistsException')) return;
      throw mapCognitoError(err, 'other', 'SignUp');
    }
    try {
      await this.users.provision(
        { issuer: c.issuer, subject: sub, authProvider: 'cognito', email: input.email, emailVerified: false, fullName: input.fullName ?? null, role: 'user', organizationId: null, status: 'pending_verification' },
        ACTOR,
      );
    } catch (err) {
      // The address belongs to another identity (e.g. a local account). Answer like success (no enumeration); the
      // conflict is logged and will be refused again, loudly, if this Cognito user ever presents a token.
      if (err instanceof ConflictError) {
        this.log.warn({ sub }, 'cognito sign-up for an address owned by another Gatehouse identity');
        return;
      }
      throw err;
    }
  }

  validateToken(token: string): Promise<Principal> {
    return validateWithBoundVerifier(this.moduleRef, token);
  }

  async refreshToken(refreshToken: string, _ctx: RequestContext): Promise<TokenSet> {
    const c = this.cognito();
    const { username, token } = unwrapRefreshToken(refreshToken);
    if (c.clientSecret && !username) throw new ProviderError('REFRESH_TOKEN_INVALID', 'refresh token without username while the client has a secret');
    const out = await this.call('refresh', 'InitiateAuth', () =>
      this.client.send(
        new InitiateAuthCommand({ ClientId: c.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token, ...(username ? secretHashParam(c, username) : {}) } }),
      ),
    );
    const result = out.AuthenticationResult;
    if (!result?.AccessToken) throw new ProviderError('REFRESH_TOKEN_INVALID', `cognito refresh answered ${out.ChallengeName ?? 'without tokens'}`);
    // Cognito normally keeps the refresh token (no rotation): the client keeps using the one it has.
    const next = result.RefreshToken ? this.clientRefreshToken(result.RefreshToken, username) : refreshToken;
    return toTokenSet(result, next);
  }

  async confirmEmail(email: string, code: string, _ctx: RequestContext): Promise<void> {
    const c = this.cognito();
    await this.call('code', 'ConfirmSignUp', () =>
      this.client.send(new ConfirmSignUpCommand({ ClientId: c.clientId, Username: email, ConfirmationCode: code, ...secretHashField(c, email) })),
    );
    const user = await this.localUser(email);
    if (!user) return;
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
      // Enumeration safety: unknown and already-confirmed addresses (InvalidParameterException) answer like success.
      if (isCognitoError(err, 'UserNotFoundException', 'InvalidParameterException')) return;
      throw mapCognitoError(err, 'other', 'ResendConfirmationCode');
    }
  }

  async respondToMfaChallenge(input: { session: string; code: string; email?: string; challenge?: ChallengeName }, _ctx: RequestContext): Promise<AuthResult> {
    const c = this.cognito();
    const s = decodeChallengeSession(input.session);
    if (!s) throw new ProviderError('MFA_SESSION_INVALID', 'not a Gatehouse cognito challenge session');
    if (input.challenge && input.challenge !== s.c) throw new ProviderError('MFA_SESSION_INVALID', `challenge ${input.challenge} does not match session ${s.c}`);
    if (input.email && input.email.toLowerCase() !== s.e.toLowerCase()) throw new ProviderError('MFA_SESSION_INVALID', 'email does not match the session');
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
    return this.toAuthResult(out, s.e, s.u);
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
      // Enumeration safety: unknown addresses, unverified ones (InvalidParameterException) and disabled users
      // (NotAuthorizedException) all answer like success.
      if (isCognitoError(err, 'UserNotFoundException', 'InvalidParameterException', 'NotAuthorizedException')) return;
      throw mapCognitoError(err, 'other', 'ForgotPassword');
    }
  }

  async confirmPasswordReset(input: { email: string; code: string; newPassword: string }, _ctx: RequestContext): Promise<void> {
    const c = this.cognito();
    await this.call('code', 'ConfirmForgotPassword', () =>
      this.client.send(
        new ConfirmForgotPasswordCommand({ ClientId: c.clientId, Username: input.email, ConfirmationCode: input.code, Password: input.newPassword, ...secretHashField(c, input.email) }),
      ),
    );
    const user = await this.localUser(input.email);
    if (!user) return;
    await this.users.updateProfile(user.id, { passwordResetAt: new Date() }, { actor: ACTOR, type: 'password.reset' });
    // A new password ends every session: Cognito's access tokens stay valid offline, so Gatehouse's watermark does it.
    await this.users.revokeTokens(user.id, ACTOR, 'password_reset');
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

  /** The Gatehouse row of a Cognito user of this pool, by the address they signed up with. */
  private async localUser(email: string) {
    const user = await this.users.findByEmail(email, 'cognito');
    return user && user.issuer === this.cognito().issuer ? user : null;
  }

  private clientRefreshToken(token: string, username: string | undefined): string {
    return this.cognito().clientSecret && username ? wrapRefreshToken(username, token) : token;
  }

  /** Tokens, or the next step: a challenge is always surfaced, never turned into a silent failure. */
  private async toAuthResult(out: InitiateAuthCommandOutput, email: string, knownUsername?: string): Promise<AuthResult> {
    const username = out.ChallengeParameters?.USER_ID_FOR_SRP ?? knownUsername ?? email;
    if (out.AuthenticationResult?.AccessToken) {
      const r = out.AuthenticationResult;
      await this.refuseBlocked(r.IdToken ?? r.AccessToken);
      await this.syncFromIdToken(r.IdToken);
      const sub = unverifiedSub(r.AccessToken) ?? username;
      return { kind: 'tokens', tokens: toTokenSet(r, r.RefreshToken ? this.clientRefreshToken(r.RefreshToken, sub) : undefined) };
    }
    const challenge = out.ChallengeName;
    if (challenge && (CHALLENGES as readonly string[]).includes(challenge) && out.Session) {
      return { kind: 'challenge', challenge: challenge as ChallengeName, session: encodeChallengeSession({ u: username, e: email, c: challenge as ChallengeName, s: out.Session }) };
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
   * Makes sure the signing-in user has a Gatehouse row carrying their address. Users Gatehouse did not sign up
   * (AdminCreateUser, the console, an import) would otherwise be provisioned from their first access token, which
   * has no email claim, and be stuck in pending_verification with no address. The ID token came straight from
   * Cognito's answer to our own call, so its claims are Cognito's.
   */
  private async syncFromIdToken(idToken: string | undefined): Promise<void> {
    const claims = unverifiedClaims(idToken);
    const sub = typeof claims?.sub === 'string' ? claims.sub : undefined;
    const email = typeof claims?.email === 'string' ? claims.email : undefined;
    if (!sub || !email) return;
    const verified = claims?.email_verified === true || claims?.email_verified === 'true';
    const issuer = this.cognito().issuer;
    try {
      const { user, created } = await this.users.provision(
        { issuer, subject: sub, authProvider: 'cognito', email, emailVerified: verified, fullName: typeof claims?.name === 'string' ? claims.name : null, role: 'user', organizationId: null, status: initialStatus(verified) },
        ACTOR,
      );
      if (created) return;
      if (!user.email) await this.users.updateProfile(user.id, { email, emailVerified: verified }, { actor: ACTOR, type: 'profile.synced', detail: { from: 'id_token' } });
      if (verified && user.status === 'pending_verification') await this.onboarding.tryApply(user.id, 'EMAIL_VERIFIED', ACTOR, { via: 'cognito.id_token' }, { email_verified: 'true' });
    } catch (err) {
      // The address belongs to another Gatehouse identity: never link by email; the token path answers 409 later.
      if (err instanceof ConflictError) {
        this.log.warn({ sub }, 'cognito sign-in for an address owned by another Gatehouse identity');
        return;
      }
      throw err;
    }
  }

  /**
   * Cognito refuses disabled users, but its emulator does not and Gatehouse's own states (suspended, rejected) are
   * not Cognito's: a blocked account gets no fresh tokens here (the guard would refuse them anyway).
   */
  private async refuseBlocked(token: string | undefined): Promise<void> {
    const sub = unverifiedSub(token);
    if (!sub) return;
    const user = await this.users.findByIssuerSubject(this.cognito().issuer, sub);
    if (user && BLOCKED_STATUSES.includes(user.status)) {
      throw new ForbiddenError(`USER_${user.status.toUpperCase()}`, 'This account cannot sign in', { status: user.status });
    }
  }
}
