import { randomBytes } from 'node:crypto';
import {
  ChallengeNameType,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  InitiateAuthCommandOutput,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable } from '@nestjs/common';
import { DeferredWork } from '../../../common/deferred/deferred-work';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../../config/config.types';
import { type UserEntity, UsersService } from '../../../users';
import { blockedSignInAudit, signInRefusal } from '../../account-rules';
import { CredentialLimiter } from '../../throttling/credential-limiter';
import type { AuthResult, ChallengeName, RequestContext, TokenSet } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { COGNITO_CLIENT, secretHashParam } from './cognito-client.factory';
import { CognitoCallContext, LoginRefusalReason, loginRefusalReason, mapCognitoError } from './cognito-errors';
import { COGNITO_ACTOR, CognitoIdentities } from './cognito-identities';
import { CHALLENGE_TTL_MS, ChallengeSessionSealer, toTokenSet, unverifiedAuthTimeMs, unverifiedSub, unwrapRefreshToken, wrapRefreshToken } from './cognito-session';

const CHALLENGES: readonly ChallengeName[] = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'NEW_PASSWORD_REQUIRED'];
const ACTOR = COGNITO_ACTOR;
/** #20.12: answers per challenge session, as the local provider allows; then the session is spent. */
const CHALLENGE_BUDGET = { name: 'cognito-mfa-session', limit: 5, windowS: CHALLENGE_TTL_MS / 1000, blockS: CHALLENGE_TTL_MS / 1000 };

/**
 * Sign-in, challenges and refresh over Cognito, with what Gatehouse adds on top: blocked users and sessions older than
 * the watermark get nothing, the identity's row is synced by sub, an enrolled factor is enforced, and challenge
 * sessions are sealed, short-lived and limited to five answers.
 */
@Injectable()
export class CognitoSignIn {
  private readonly sealer: ChallengeSessionSealer;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
    private readonly users: UsersService,
    private readonly identities: CognitoIdentities,
    private readonly limiter: CredentialLimiter,
    private readonly deferred: DeferredWork,
  ) {
    // SESSION_SECRET when set (every instance opens every session); else a per-process key: a challenge then has to be
    // answered at the instance that issued it, within five minutes anyway.
    this.sealer = new ChallengeSessionSealer(config.auth.hosted.sessionSecret ?? randomBytes(32));
  }

  async authenticate(email: string, password: string, ctx: RequestContext): Promise<AuthResult> {
    const c = this.cognito();
    let out: InitiateAuthCommandOutput;
    try {
      out = await this.client.send(
        new InitiateAuthCommand({ ClientId: c.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password, ...secretHashParam(c, email) } }),
      );
    } catch (err) {
      const reason = loginRefusalReason(err);
      // After the answer, as the local provider does: finding whom a refusal concerns reads more for a known address
      // than for an unknown one, and a failed audit write must not change what the client is told.
      if (reason) this.deferred.run('login-failed-audit', ctx.requestId, () => this.recordRefusal(email, reason));
      throw mapCognitoError(err, 'login', 'InitiateAuth');
    }
    return this.toAuthResult(out, email, ctx);
  }

  /**
   * `login.failed` on the row of the identity Cognito refused, found by sub (an address can have moved to another
   * identity since Gatehouse last saw it). Addresses no Cognito row carries stop at the database: a spray of unknown
   * addresses never reaches Cognito's admin API.
   */
  private async recordRefusal(email: string, reason: LoginRefusalReason): Promise<void> {
    if (!(await this.users.findByEmail(email, 'cognito'))) return;
    const identity = await this.identities.lookup(email);
    const user = identity && (await this.identities.rowOf(identity.sub));
    if (user) await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.failed', detail: { reason } });
  }

  /**
   * `login.mfa_failed` on the row of the identity the challenge was issued to (the sealed session's Cognito username,
   * resolved to its sub as recordRefusal does), with the factor's kind as the local provider writes it; never the code
   * or the session.
   */
  private async recordMfaFailure(username: string, challenge: ChallengeName): Promise<void> {
    const identity = await this.identities.lookup(username);
    const user = identity && (await this.identities.rowOf(identity.sub));
    const method = challenge === 'SMS_MFA' ? 'sms' : 'totp';
    if (user) await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.mfa_failed', detail: { method } });
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

  async respondToMfaChallenge(input: { session: string; code: string; email?: string; challenge?: ChallengeName }, ctx: RequestContext): Promise<AuthResult> {
    const c = this.cognito();
    // #20.11: only a session Gatehouse sealed, unexpired, ever reaches Cognito.
    const s = this.sealer.open(input.session);
    if (!s) throw new ProviderError('MFA_SESSION_INVALID', 'not a live Gatehouse cognito challenge session');
    if (input.challenge && input.challenge !== s.c) throw new ProviderError('MFA_SESSION_INVALID', `challenge ${input.challenge} does not match session ${s.c}`);
    if (input.email && input.email.toLowerCase() !== s.e.toLowerCase()) throw new ProviderError('MFA_SESSION_INVALID', 'email does not match the session');
    if ((await this.limiter.hit(CHALLENGE_BUDGET, s.id)) > 0) throw new ProviderError('MFA_SESSION_INVALID', 'challenge attempts spent');
    const answer: Record<string, string> =
      s.c === 'SOFTWARE_TOKEN_MFA' ? { SOFTWARE_TOKEN_MFA_CODE: input.code } : s.c === 'SMS_MFA' ? { SMS_MFA_CODE: input.code } : { NEW_PASSWORD: input.code };
    let out: InitiateAuthCommandOutput;
    try {
      out = await this.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: c.clientId,
          ChallengeName: s.c,
          Session: s.s,
          ChallengeResponses: { USERNAME: s.u, ...answer, ...secretHashParam(c, s.u) },
        }),
      );
    } catch (err) {
      const refused = mapCognitoError(err, 'mfa', 'RespondToAuthChallenge');
      // A wrong second factor (what the client is told is MFA_CODE_INVALID), after the answer as for a wrong password.
      // The NEW_PASSWORD_REQUIRED answer is a password, not a factor: its refusals are not MFA failures.
      if (refused.code === 'MFA_CODE_INVALID' && s.c !== 'NEW_PASSWORD_REQUIRED') {
        this.deferred.run('login-mfa-failed-audit', ctx.requestId, () => this.recordMfaFailure(s.u, s.c));
      }
      throw refused;
    }
    return this.toAuthResult(out, s.e, ctx, s.u, s.c !== 'NEW_PASSWORD_REQUIRED');
  }

  private cognito(): CognitoConfig {
    return this.identities.pool();
  }

  private async call<T>(ctx: CognitoCallContext, operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapCognitoError(err, ctx, operation);
    }
  }

  /** Refresh tokens carry the Cognito username and when the session began (see cognito-session.ts). */
  private clientRefreshToken(token: string, username: string | undefined, beganMs: number): string {
    return username ? wrapRefreshToken(username, token, Number.isFinite(beganMs) ? beganMs : Date.now()) : token;
  }

  private refuseRefresh(user: UserEntity | null, sessionBeganMs: number | undefined): void {
    if (!user) return;
    const blocked = signInRefusal(user);
    if (blocked) throw blocked;
    if (user.tokensValidAfter && sessionBeganMs !== undefined && sessionBeganMs < user.tokensValidAfter.getTime()) {
      throw new ProviderError('REFRESH_TOKEN_INVALID', `session began ${sessionBeganMs} before watermark ${user.tokensValidAfter.getTime()}`);
    }
  }

  /**
   * Tokens, or the next step: a challenge is always surfaced, never turned into a silent failure. `secondFactor`:
   * the tokens answer a TOTP/SMS challenge (else they came from the password alone).
   */
  private async toAuthResult(out: InitiateAuthCommandOutput, email: string, ctx: RequestContext, knownUsername?: string, secondFactor = false): Promise<AuthResult> {
    const username = out.ChallengeParameters?.USER_ID_FOR_SRP ?? knownUsername ?? email;
    if (out.AuthenticationResult?.AccessToken) {
      const r = out.AuthenticationResult;
      const sub = unverifiedSub(r.IdToken ?? r.AccessToken);
      if (sub) this.refuseBlockedSignIn(await this.identities.rowOf(sub), ctx);
      // Cognito's claims are Cognito's (the tokens answer our own call). 409 EMAIL_IN_USE, and no tokens, when the
      // address belongs to another Gatehouse identity.
      const user = await this.identities.syncFromIdToken(r.IdToken);
      if (!secondFactor && user) await this.enforceMfa(user);
      const began = unverifiedAuthTimeMs(r.AccessToken) ?? Date.now();
      return { kind: 'tokens', tokens: toTokenSet(r, r.RefreshToken ? this.clientRefreshToken(r.RefreshToken, unverifiedSub(r.AccessToken) ?? username, began) : undefined) };
    }
    // The password was right, but a blocked account gets no challenge session (nor a factor choice made for it): the
    // same refusal and row as for tokens. By row, not AdminGetUser: the Cognito username is the sub (email is the
    // pool's username attribute, README: Cognito), so no admin call sits in every challenged sign-in.
    this.refuseBlockedSignIn(await this.identities.rowOf(username), ctx);
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
      return this.toAuthResult(next, email, ctx, username);
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
   * not Cognito's: a blocked account gets no fresh tokens here (the guard would refuse them anyway). The rule is
   * Gatehouse's (account-rules.ts), the same as the local provider's. Cognito accepted the password, so the refusal is
   * Gatehouse's alone and nothing else audits it: `login.failed` (reason: the status), after the answer.
   */
  private refuseBlockedSignIn(user: UserEntity | null, ctx: RequestContext): void {
    const refusal = user && signInRefusal(user);
    if (!user || !refusal) return;
    this.deferred.run('login-failed-audit', ctx.requestId, () => this.users.recordEvent({ ...blockedSignInAudit(user, refusal), actor: ACTOR }));
    throw refusal;
  }
}
