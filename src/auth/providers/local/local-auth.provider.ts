import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';
import { ConflictError, ForbiddenError } from '../../../common/errors/app-error';
import type { Principal } from '../../../common/principal';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { MAILER, type Mailer } from '../../../mail/mailer';
import { OnboardingService } from '../../../users/onboarding/onboarding.service';
import { BLOCKED_STATUSES } from '../../../users/onboarding/transitions';
import type { UserEntity } from '../../../users/user.entity';
import { UsersService } from '../../../users/users.service';

import type { AccountCaller, AuthProvider, AuthResult, MfaEnrollment, RequestContext, TokenSet } from '../auth-provider';
import { validateWithBoundVerifier } from '../bearer-token-validator';
import { ProviderError } from '../provider-errors';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_USER_ISSUER } from '../../tokens/key-source';
import { ChallengeKind, CodePurpose, LocalAuthRepository } from './local-auth.repository';
import { passwordPolicyViolation } from './local-directory';
import { LocalSigningKey } from './local-keys';
import { LOCAL_SECRETS, LocalSecrets } from './local-secrets';
import { mailFor } from './mail-templates';
import { PasswordHasher } from './password-hasher';
import { normalizeRecoveryCode, opaqueToken, recoveryCode, sixDigitCode } from './random-codes';
import { SecretBox } from './secret-box';

/** Lifetimes and attempt budgets. Codes are short and few-try because six digits are guessable in a million tries. */
export const LOCAL_LIMITS = {
  verificationCodeTtlS: 24 * 3600,
  resetCodeTtlS: 30 * 60,
  codeAttempts: 5,
  challengeTtlS: 5 * 60,
  challengeAttempts: 5,
  recoveryCodes: 10,
  maxPasswordLength: 1024,
  /** An administrator's temporary password works this long (Cognito's default), then only a reset gets in. */
  temporaryPasswordTtlS: 7 * 24 * 3600,
} as const;

const ACTOR = 'provider:local';
const TOTP_ISSUER = 'Gatehouse';
const SIX_DIGITS = /^\d{6}$/;

/**
 * The reference provider: Gatehouse's own users table, argon2id passwords, mailed codes, TOTP with recovery codes,
 * its own RS256 access tokens and rotating refresh tokens. Needs nothing but Postgres (and SMTP for real mail).
 */
@Injectable()
export class LocalAuthProvider implements AuthProvider {
  readonly name = 'local' as const;
  private readonly log = new Logger(LocalAuthProvider.name);
  private readonly hasher: PasswordHasher;
  private readonly key: LocalSigningKey;
  private readonly box: SecretBox;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOCAL_SECRETS) secrets: LocalSecrets,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
    private readonly onboarding: OnboardingService,
    private readonly moduleRef: ModuleRef,
  ) {
    this.hasher = secrets.hasher;
    this.key = secrets.signingKey;
    this.box = new SecretBox(secrets.dataKey);
  }

  async isAvailable(): Promise<boolean> {
    return true;
  }

  // ---- sign-up and email verification -----------------------------------------------------------------------------

  async register(input: { email: string; password: string; fullName?: string }, ctx: RequestContext): Promise<void> {
    this.checkPasswordPolicy(input.password, input.email);
    // Hash first, whatever happens next: a known address must not answer measurably faster than a new one.
    const passwordHash = await this.hasher.hash(input.password);
    const existing = await this.users.findByEmail(input.email);
    if (existing) return this.registerExisting(existing, ctx);

    let created: UserEntity | undefined;
    const code = sixDigitCode();
    const link = opaqueToken();
    try {
      created = await this.users.inTransaction(async (tx) => {
        const { user } = await this.users.provision(
          {
            issuer: LOCAL_USER_ISSUER,
            subject: randomUUID(),
            authProvider: 'local',
            email: input.email,
            emailVerified: false,
            fullName: input.fullName ?? null,
            role: 'user',
            organizationId: null,
            status: 'pending_verification',
          },
          ACTOR,
          tx,
        );
        await this.repo.insertCredentials(tx, user.id, passwordHash);
        await this.repo.issueCode(user.id, 'email_verification', input.email, this.codeHash('email_verification', code), this.box.mac('link', link), LOCAL_LIMITS.verificationCodeTtlS, tx);
        return user;
      });
    } catch (err) {
      // Lost a race with a concurrent registration of the same address: answer exactly as for an existing one.
      if (err instanceof ConflictError) return;
      throw err;
    }
    this.send(created, mailFor.verification(this.config, input.email, code, link), ctx);
  }

  /** An address that already has an account gets a mail saying so (or a fresh code while unverified), never a second account. */
  private async registerExisting(user: UserEntity, ctx: RequestContext): Promise<void> {
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'register.duplicate', detail: { ip: ctx.ip } });
    if (user.authProvider === 'local' && user.status === 'pending_verification' && user.email) {
      await this.sendVerificationCode(user, user.email, ctx);
      return;
    }
    if (user.email) this.send(user, mailFor.accountExists(this.config, user.email), ctx);
  }

  async confirmEmail(email: string, code: string, _ctx: RequestContext): Promise<void> {
    const user = await this.localUser(email);
    if (!user) throw new ProviderError('CODE_INVALID', 'no local user for this address');
    await this.spendCode(user, 'email_verification', email, code);
    await this.markVerified(user, 'code');
  }

  /** The mailed link: the same as typing the code, bound to the address it was sent to. */
  async confirmEmailLink(token: string): Promise<void> {
    const used = await this.repo.useLink('email_verification', this.box.mac('link', token));
    if (!used) throw new ProviderError('CODE_INVALID', 'unknown, used or expired verification link');
    const user = await this.users.findById(used.userId);
    if (!user || user.email?.toLowerCase() !== used.address.toLowerCase()) throw new ProviderError('CODE_INVALID', 'link for another address');
    await this.markVerified(user, 'link');
  }

  async resendVerification(email: string, ctx: RequestContext): Promise<void> {
    const user = await this.localUser(email);
    if (!user || user.emailVerified || user.status !== 'pending_verification') return;
    await this.sendVerificationCode(user, email, ctx);
  }

  private async sendVerificationCode(user: UserEntity, email: string, ctx: RequestContext): Promise<void> {
    const code = sixDigitCode();
    const link = opaqueToken();
    await this.repo.issueCode(user.id, 'email_verification', email, this.codeHash('email_verification', code), this.box.mac('link', link), LOCAL_LIMITS.verificationCodeTtlS);
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'email.verification_sent', detail: { ip: ctx.ip } });
    this.send(user, mailFor.verification(this.config, email, code, link), ctx);
  }

  private async markVerified(user: UserEntity, via: string): Promise<void> {
    // pending_verification → pending_approval together with the flag; later states only need the flag.
    const stepped = await this.onboarding.tryApply(user.id, 'EMAIL_VERIFIED', ACTOR, { via }, { email_verified: 'true' });
    if (!stepped && !user.emailVerified) {
      await this.users.updateProfile(user.id, { emailVerified: true }, { actor: ACTOR, type: 'email.verified', detail: { via } });
    }
  }

  // ---- login, MFA challenge, refresh ------------------------------------------------------------------------------

  async authenticate(email: string, password: string, _ctx: RequestContext): Promise<AuthResult> {
    const user = await this.localUser(email);
    const creds = user ? await this.repo.credentials(user.id) : null;
    if (!user || !creds || password.length > LOCAL_LIMITS.maxPasswordLength) {
      await this.hasher.verifyDummy(password);
      throw new ProviderError('AUTH_FAILED', 'unknown local user');
    }
    if (!(await this.hasher.verify(creds.passwordHash, password))) {
      await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.failed', detail: { reason: 'password' } });
      throw new ProviderError('AUTH_FAILED', 'wrong password');
    }
    // Same answer as a wrong password: an unverified address must not be confirmable as registered.
    if (!user.emailVerified) throw new ProviderError('AUTH_FAILED', 'email not verified');
    this.refuseBlocked(user);
    if (this.hasher.needsRehash(creds.passwordHash)) {
      await this.repo.rehashPassword(user.id, creds.passwordHash, await this.hasher.hash(password));
    }
    // A temporary password (set by an administrator) only buys the right to choose a new one; tokens come after.
    // With TOTP on, the second factor comes first: knowing a temporary password must not be enough to change it.
    if (creds.mustChangePassword && Date.now() - creds.passwordChangedAt.getTime() > LOCAL_LIMITS.temporaryPasswordTtlS * 1000) {
      await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.failed', detail: { reason: 'temporary_password_expired' } });
      throw new ProviderError('AUTH_FAILED', 'temporary password expired');
    }
    if (creds.mustChangePassword && creds.totpSecretEnc === null) return this.openChallenge(user, 'new_password');
    return this.afterPasswordStep(user, creds.totpSecretEnc !== null);
  }

  async respondToMfaChallenge(input: { session: string; code: string; email?: string }, _ctx: RequestContext): Promise<AuthResult> {
    const [id, secret] = input.session.split('.');
    if (!id || !secret || !/^[0-9a-f-]{36}$/.test(id)) throw new ProviderError('MFA_SESSION_INVALID', 'malformed session');
    const challenge = await this.repo.takeChallengeAttempt(id, LOCAL_LIMITS.challengeAttempts);
    if (!challenge || !SecretBox.equal(challenge.secretHash, this.box.mac('challenge', secret))) {
      throw new ProviderError('MFA_SESSION_INVALID', 'unknown, expired, used or exhausted challenge');
    }
    const user = await this.users.findById(challenge.userId);
    if (!user) throw new ProviderError('MFA_SESSION_INVALID', 'user gone');
    if (input.email && input.email.toLowerCase() !== user.email?.toLowerCase()) throw new ProviderError('MFA_SESSION_INVALID', 'email does not match the session');
    // A password reset or sign-out after the password step ends the half-finished login too.
    if (user.tokensValidAfter && challenge.createdAt < user.tokensValidAfter) throw new ProviderError('MFA_SESSION_INVALID', 'challenge predates revocation');
    this.refuseBlocked(user);
    // The kind is stored with the session, so a NEW_PASSWORD_REQUIRED session never accepts a TOTP code and vice versa.
    if (challenge.kind === 'new_password') return this.answerNewPassword(user, challenge.id, input.code);
    const creds = await this.repo.credentials(user.id);
    if (!creds?.totpSecretEnc) throw new ProviderError('MFA_SESSION_INVALID', 'TOTP no longer enabled');

    const code = input.code.trim();
    const method = SIX_DIGITS.test(code) ? 'totp' : 'recovery_code';
    const ok = method === 'totp' ? await this.checkTotp(user.id, creds.totpSecretEnc, code) : await this.repo.useRecoveryCode(user.id, this.box.mac('recovery', normalizeRecoveryCode(code)));
    if (!ok) {
      await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.mfa_failed', detail: { method } });
      throw new ProviderError('MFA_CODE_INVALID', `${method} rejected`);
    }
    if (!(await this.repo.useChallenge(challenge.id))) throw new ProviderError('MFA_SESSION_INVALID', 'challenge used concurrently');
    if (creds.mustChangePassword) return this.openChallenge(user, 'new_password');
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.succeeded', detail: { mfa: method } });
    return { kind: 'tokens', tokens: await this.issueTokens(user) };
  }

  async refreshToken(refreshToken: string, _ctx: RequestContext): Promise<TokenSet> {
    const stored = await this.repo.findRefreshToken(this.box.mac('refresh', refreshToken));
    if (!stored) throw new ProviderError('REFRESH_TOKEN_INVALID', 'unknown refresh token');
    if (stored.revoked || stored.expired) throw new ProviderError('REFRESH_TOKEN_INVALID', stored.revoked ? 'revoked' : 'expired');
    if (stored.rotated) return this.reuseDetected(stored.userId, stored.familyId);
    const user = await this.users.findById(stored.userId);
    if (!user || BLOCKED_STATUSES.includes(user.status)) throw new ProviderError('REFRESH_TOKEN_INVALID', 'user missing or blocked');
    if (user.tokensValidAfter && stored.createdAt < user.tokensValidAfter) throw new ProviderError('REFRESH_TOKEN_INVALID', 'issued before revocation');

    const next = opaqueToken();
    const rotated = await this.users.inTransaction(async (tx) => {
      if (!(await this.repo.rotateRefreshToken(tx, stored.id))) return false;
      await this.repo.insertRefreshToken(user.id, stored.familyId, this.box.mac('refresh', next), this.config.auth.local.refreshTokenTtlS, tx);
      return true;
    });
    // Lost the race to another use of the same token: that is a replay as far as this caller is concerned.
    if (!rotated) return this.reuseDetected(stored.userId, stored.familyId);
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'token.refreshed', detail: { familyId: stored.familyId } });
    return this.tokenSet(user, next);
  }

  /** A rotated refresh token came back: someone holds a copy. Every token of the family dies, the thief's and the owner's. */
  private async reuseDetected(userId: string, familyId: string): Promise<never> {
    const revoked = await this.repo.revokeFamily(familyId, 'reuse_detected');
    await this.users.recordEvent({ userId, actor: ACTOR, type: 'refresh.reuse_detected', detail: { familyId, revoked } });
    this.log.warn({ userId, familyId }, 'refresh token reuse detected: family revoked');
    throw new ProviderError('REFRESH_TOKEN_INVALID', 'rotated refresh token reused');
  }

  validateToken(token: string): Promise<Principal> {
    return validateWithBoundVerifier(this.moduleRef, token);
  }

  // ---- TOTP enrolment ---------------------------------------------------------------------------------------------

  async startMfaEnrollment(caller: AccountCaller): Promise<MfaEnrollment> {
    const user = await this.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (!creds) throw new ProviderError('NOT_SUPPORTED', 'no local credentials');
    if (creds.totpSecretEnc) throw new ProviderError('MFA_ALREADY_ENABLED');
    const secret = generateSecret();
    await this.repo.setPendingTotp(user.id, this.box.encrypt(secret, this.totpContext(user.id)));
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'mfa.enrollment_started', detail: { method: 'totp' } });
    return { secret, otpauthUrl: generateURI({ issuer: TOTP_ISSUER, label: user.email ?? user.id, secret }) };
  }

  async verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<{ recoveryCodes?: string[] }> {
    const user = await this.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (creds?.totpSecretEnc) throw new ProviderError('MFA_ALREADY_ENABLED');
    if (!creds?.totpPendingEnc) throw new ProviderError('MFA_NOT_ENROLLED', 'no enrolment started');
    if (!(await this.checkTotp(user.id, creds.totpPendingEnc, code.trim()))) throw new ProviderError('MFA_CODE_INVALID', 'enrolment code rejected');
    const codes = Array.from({ length: LOCAL_LIMITS.recoveryCodes }, recoveryCode);
    const enabled = await this.users.inTransaction(async (tx) => {
      if (!(await this.repo.enableTotp(tx, user.id, creds.totpPendingEnc as string))) return false;
      await this.repo.replaceRecoveryCodes(tx, user.id, codes.map((c) => this.box.mac('recovery', normalizeRecoveryCode(c))));
      return true;
    });
    if (!enabled) throw new ProviderError('MFA_CODE_INVALID', 'enrolment changed concurrently');
    await this.users.updateProfile(user.id, { mfaMethod: 'totp', mfaEnrolledAt: new Date() }, { actor: ACTOR, type: 'mfa.enrolled', detail: { method: 'totp' } });
    await this.onboarding.tryApply(user.id, 'MFA_ENROLLED', ACTOR, { method: 'totp' });
    return { recoveryCodes: codes };
  }

  /** New recovery codes (the old ones stop working), after proving possession of the authenticator. */
  async regenerateRecoveryCodes(caller: AccountCaller, code: string): Promise<string[]> {
    const user = await this.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (!creds?.totpSecretEnc) throw new ProviderError('MFA_NOT_ENROLLED');
    if (!(await this.checkTotp(user.id, creds.totpSecretEnc, code.trim()))) throw new ProviderError('MFA_CODE_INVALID', 'code rejected');
    const codes = Array.from({ length: LOCAL_LIMITS.recoveryCodes }, recoveryCode);
    await this.users.inTransaction((tx) => this.repo.replaceRecoveryCodes(tx, user.id, codes.map((c) => this.box.mac('recovery', normalizeRecoveryCode(c)))));
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'mfa.recovery_codes_regenerated' });
    return codes;
  }

  async disableMfa(caller: AccountCaller): Promise<void> {
    const user = await this.callerUser(caller);
    if (user.mfaRequired) throw new ProviderError('MFA_REQUIRED_BY_ADMIN', `user ${user.id} has mfa_required`);
    const creds = await this.repo.credentials(user.id);
    if (!creds?.totpSecretEnc && !creds?.totpPendingEnc) throw new ProviderError('MFA_NOT_ENROLLED');
    await this.users.inTransaction((tx) => this.repo.disableTotp(tx, user.id));
    await this.users.updateProfile(user.id, { mfaMethod: null, mfaEnrolledAt: null }, { actor: ACTOR, type: 'mfa.disabled' });
  }

  // ---- password reset and sign-out --------------------------------------------------------------------------------

  async requestPasswordReset(email: string, ctx: RequestContext): Promise<void> {
    const user = await this.localUser(email);
    if (!user || BLOCKED_STATUSES.includes(user.status)) return;
    const code = sixDigitCode();
    await this.repo.issueCode(user.id, 'password_reset', email, this.codeHash('password_reset', code), null, LOCAL_LIMITS.resetCodeTtlS);
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'password.reset_requested', detail: { ip: ctx.ip } });
    this.send(user, mailFor.passwordReset(this.config, email, code), ctx);
  }

  async confirmPasswordReset(input: { email: string; code: string; newPassword: string }, _ctx: RequestContext): Promise<void> {
    const user = await this.localUser(input.email);
    if (!user) throw new ProviderError('CODE_INVALID', 'no local user for this address');
    this.checkPasswordPolicy(input.newPassword, input.email);
    const hash = await this.hasher.hash(input.newPassword);
    const codeId = await this.checkCode(user, 'password_reset', input.email, input.code);
    const done = await this.users.inTransaction(async (tx) => {
      if (!(await this.repo.useCode(codeId, tx))) return false;
      await this.repo.setPassword(tx, user.id, hash);
      await this.repo.revokeAllRefreshTokens(user.id, 'password_reset', tx);
      return true;
    });
    if (!done) throw new ProviderError('CODE_INVALID', 'code used concurrently');
    await this.users.updateProfile(user.id, { passwordResetAt: new Date() }, { actor: ACTOR, type: 'password.reset' });
    await this.users.revokeTokens(user.id, ACTOR, 'password_reset');
    // The reset code reached this mailbox, which proves the address as well as a verification code would.
    if (!user.emailVerified) await this.markVerified(user, 'password_reset');
  }

  async signOut(caller: AccountCaller): Promise<void> {
    const userId = caller.principal.userId;
    const refresh = await this.repo.revokeAllRefreshTokens(userId, 'sign_out');
    await this.users.revokeTokens(userId, `user:${userId}`, 'sign_out');
    await this.users.recordEvent({ userId, actor: `user:${userId}`, type: 'signed_out', detail: { refreshTokensRevoked: refresh } });
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  private async issueTokens(user: UserEntity): Promise<TokenSet> {
    const refresh = opaqueToken();
    await this.repo.insertRefreshToken(user.id, randomUUID(), this.box.mac('refresh', refresh), this.config.auth.local.refreshTokenTtlS);
    return this.tokenSet(user, refresh);
  }

  private tokenSet(user: UserEntity, refreshToken: string): TokenSet {
    const ttl = this.config.auth.local.accessTokenTtlS;
    const accessToken = this.key.signAccessToken({ issuer: this.config.publicUrl, audience: LOCAL_TOKEN_AUDIENCE, subject: user.subject, ttlS: ttl, email: user.email });
    return { accessToken, refreshToken, expiresIn: ttl, tokenType: 'Bearer' };
  }

  /** ±1 step of 30 s, and never the same step twice (recorded atomically). */
  private async checkTotp(userId: string, sealed: string, code: string): Promise<boolean> {
    if (!SIX_DIGITS.test(code)) return false;
    let secret: string;
    try {
      secret = this.box.decrypt(sealed, this.totpContext(userId));
    } catch {
      this.log.error({ userId }, 'TOTP secret cannot be decrypted (DATA_ENCRYPTION_KEY changed?)');
      return false;
    }
    const result = verifySync({ secret, token: code, epochTolerance: 30 });
    if (!result.valid || !('timeStep' in result)) return false;
    return this.repo.consumeTotpStep(userId, result.timeStep);
  }

  private totpContext(userId: string): string {
    return `totp:${userId}`;
  }

  private codeHash(purpose: CodePurpose, code: string): string {
    return this.box.mac(purpose, code);
  }

  /** Checks a mailed code (one attempt counted) and returns its id; the caller spends it with the change it guards. */
  private async checkCode(user: UserEntity, purpose: CodePurpose, email: string, code: string): Promise<string> {
    const stored = await this.repo.takeCodeAttempt(user.id, purpose, email, LOCAL_LIMITS.codeAttempts);
    if (!stored) throw new ProviderError('CODE_INVALID', 'no live code or attempts spent');
    if (!SecretBox.equal(stored.codeHash, this.codeHash(purpose, code.trim()))) throw new ProviderError('CODE_INVALID', `wrong code (attempt ${stored.attempts})`);
    // Only a caller who knows the code learns that it expired.
    if (stored.expired) throw new ProviderError('CODE_EXPIRED');
    if (stored.used) throw new ProviderError('CODE_INVALID', 'code already used');
    return stored.id;
  }

  private async spendCode(user: UserEntity, purpose: CodePurpose, email: string, code: string): Promise<void> {
    const id = await this.checkCode(user, purpose, email, code);
    if (!(await this.repo.useCode(id))) throw new ProviderError('CODE_INVALID', 'code used concurrently');
  }

  /** The one password policy (shared with LocalAdmin), answered as PASSWORD_POLICY with the limits for the client. */
  private checkPasswordPolicy(password: string, email: string): void {
    const min = this.config.auth.local.passwordMinLength;
    const violation = passwordPolicyViolation(password, email, min, LOCAL_LIMITS.maxPasswordLength);
    if (violation) throw new ProviderError('PASSWORD_POLICY', violation, { minLength: min, maxLength: LOCAL_LIMITS.maxPasswordLength });
  }

  private async localUser(email: string): Promise<UserEntity | null> {
    const user = await this.users.findByEmail(email, 'local');
    return user && user.issuer === LOCAL_USER_ISSUER ? user : null;
  }

  private async callerUser(caller: AccountCaller): Promise<UserEntity> {
    const user = await this.users.findById(caller.principal.userId);
    if (!user || user.authProvider !== 'local') throw new ProviderError('NOT_SUPPORTED', 'not a local account');
    return user;
  }

  private refuseBlocked(user: UserEntity): void {
    if (BLOCKED_STATUSES.includes(user.status)) {
      throw new ForbiddenError(`USER_${user.status.toUpperCase()}`, 'This account cannot sign in', { status: user.status });
    }
  }

  /**
   * Mail goes out after the answer is decided and is not awaited, so a known address does not answer slower than an
   * unknown one (enumeration by timing). A failed send is logged with the user id; the person can ask again.
   */
  private send(user: UserEntity, mail: { to: string; subject: string; text: string }, ctx: RequestContext): void {
    this.mailer.send(mail).catch((err: unknown) => {
      this.log.error({ userId: user.id, requestId: ctx.requestId, err: err instanceof Error ? err.message : String(err) }, `mail "${mail.subject}" not sent`);
    });
  }

  // ---- challenge sessions and NEW_PASSWORD_REQUIRED ---------------------------------------------------------------

  /** A short-lived session for the next step: the client holds a random secret, the table only its keyed hash. */
  private async openChallenge(user: UserEntity, kind: ChallengeKind): Promise<AuthResult> {
    const secret = opaqueToken();
    const id = await this.repo.insertChallenge(user.id, this.box.mac('challenge', secret), LOCAL_LIMITS.challengeTtlS, kind);
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: kind === 'mfa' ? 'login.mfa_challenged' : 'login.new_password_required' });
    return { kind: 'challenge', challenge: kind === 'mfa' ? 'SOFTWARE_TOKEN_MFA' : 'NEW_PASSWORD_REQUIRED', session: `${id}.${secret}` };
  }

  /** After the password (and, when one was required, the new password): the TOTP challenge, or tokens. */
  private async afterPasswordStep(user: UserEntity, totpEnabled: boolean): Promise<AuthResult> {
    if (totpEnabled) return this.openChallenge(user, 'mfa');
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.succeeded', detail: { mfa: false } });
    return { kind: 'tokens', tokens: await this.issueTokens(user) };
  }

  /**
   * Answers NEW_PASSWORD_REQUIRED: `newPassword` replaces the temporary one, which the session proved knowledge of.
   * The session is spent in the same transaction as the change, so two concurrent answers cannot both set one.
   */
  private async answerNewPassword(user: UserEntity, challengeId: string, newPassword: string): Promise<AuthResult> {
    const creds = await this.repo.credentials(user.id);
    // Cleared meanwhile (the user's own reset, an admin's permanent password): this session has nothing left to do.
    if (!creds?.mustChangePassword) throw new ProviderError('MFA_SESSION_INVALID', 'no password change pending');
    this.checkPasswordPolicy(newPassword, user.email ?? '');
    // The administrator and the invite mail know the temporary password: keeping it would defeat the forced change.
    if (await this.hasher.verify(creds.passwordHash, newPassword)) {
      throw new ProviderError('PASSWORD_POLICY', 'same as the temporary password', { minLength: this.config.auth.local.passwordMinLength });
    }
    const hash = await this.hasher.hash(newPassword);
    const changed = await this.users.inTransaction(async (tx) => {
      if (!(await this.repo.useChallenge(challengeId, tx))) return false;
      await this.repo.setPassword(tx, user.id, hash);
      return true;
    });
    if (!changed) throw new ProviderError('MFA_SESSION_INVALID', 'challenge used concurrently');
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'password.changed', detail: { via: 'new_password_required' } });
    // A TOTP user reached this step only after answering the TOTP challenge.
    await this.users.recordEvent({ userId: user.id, actor: ACTOR, type: 'login.succeeded', detail: { mfa: creds.totpSecretEnc !== null, newPassword: true } });
    return { kind: 'tokens', tokens: await this.issueTokens(user) };
  }
}
