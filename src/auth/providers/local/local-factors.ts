import { Inject, Injectable, Logger } from '@nestjs/common';
import { generateSecret, generateURI, verifySync } from 'otplib';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { type UserEntity, UsersService } from '../../../users';
import type { AccountCaller, MfaDisabled, MfaEnabled, MfaEnrollment } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { FactorChange, factorChangeMail } from '../../factor-mails';
import { LocalAccounts } from './local-accounts';
import { LocalAuthRepository } from './local-auth.repository';
import { LOCAL_ACTOR, LOCAL_LIMITS } from './local-limits';
import { LocalSessionStore } from './local-session.store';
import { LocalSessions } from './local-sessions';
import { normalizeRecoveryCode, recoveryCode } from './random-codes';

const TOTP_ISSUER = 'Gatehouse';
export const SIX_DIGITS = /^\d{6}$/;

/**
 * Second factors of the local provider: TOTP enrolment and checks (replay-proof), recovery codes. Replacing or
 * removing an enabled factor needs its current code (a stolen access token alone cannot), and every change mails the
 * user and ends their other sessions.
 */
@Injectable()
export class LocalFactors {
  private readonly log = new Logger('LocalAuthProvider');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: LocalAccounts,
    private readonly repo: LocalAuthRepository,
    private readonly store: LocalSessionStore,
    private readonly sessions: LocalSessions,
    private readonly users: UsersService,
  ) {}

  /**
   * A new secret to confirm at /mfa/verify. With a factor enabled this is a replacement: it needs the current TOTP or
   * recovery code (proof of the second factor is stronger than a recent password, which a phished session also has).
   */
  async startMfaEnrollment(caller: AccountCaller, code?: string): Promise<MfaEnrollment> {
    const user = await this.accounts.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (!creds) throw new ProviderError('NOT_SUPPORTED', 'no local credentials');
    if (creds.totpSecretEnc) await this.requireCurrentFactor(user, creds.totpSecretEnc, code, 'replace');
    const secret = generateSecret();
    await this.repo.setPendingTotp(user.id, this.accounts.box.encrypt(secret, totpContext(user.id)));
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'mfa.enrollment_started', detail: { method: 'totp', replacing: creds.totpSecretEnc !== null } });
    return { secret, otpauthUrl: generateURI({ issuer: TOTP_ISSUER, label: user.email ?? user.id, secret }) };
  }

  async verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<MfaEnabled> {
    const user = await this.accounts.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (!creds?.totpPendingEnc) throw new ProviderError(creds?.totpSecretEnc ? 'MFA_ALREADY_ENABLED' : 'MFA_NOT_ENROLLED', 'no enrolment started');
    // With a factor enabled, a pending secret exists only if /mfa/enroll was given the current code: a replacement.
    // Its code is checked against the new secret alone: the step the old code just spent must not refuse it.
    const replacing = creds.totpSecretEnc !== null;
    const step = this.totpStep(user.id, creds.totpPendingEnc, code.trim());
    const accepted = step !== null && (replacing || (await this.repo.consumeTotpStep(user.id, step)));
    if (!accepted) throw new ProviderError('MFA_CODE_INVALID', 'enrolment code rejected');
    const codes = this.newRecoveryCodes();
    // One commit: the factor and its recovery codes land together or not at all. The profile and the ladder move are
    // Gatehouse's rules on the fact reported (AuthService → AccountFacts).
    const enabled = await this.users.inTransaction(async (tx) => {
      const pending = creds.totpPendingEnc as string;
      if (!(replacing ? await this.store.replaceTotp(tx, user.id, pending, step) : await this.repo.enableTotp(tx, user.id, pending))) return false;
      await this.repo.replaceRecoveryCodes(tx, user.id, this.recoveryHashes(codes));
      return true;
    });
    if (!enabled) throw new ProviderError('MFA_CODE_INVALID', 'enrolment changed concurrently');
    await this.changed(user, caller, replacing ? 'replaced' : 'enabled');
    return { userId: user.id, method: 'totp', replaced: replacing, recoveryCodes: codes };
  }

  /** New recovery codes (the old ones stop working), after proving possession of the authenticator. */
  async regenerateRecoveryCodes(caller: AccountCaller, code: string): Promise<string[]> {
    const user = await this.accounts.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (!creds?.totpSecretEnc) throw new ProviderError('MFA_NOT_ENROLLED');
    if (!(await this.checkTotp(user.id, creds.totpSecretEnc, code.trim()))) throw new ProviderError('MFA_CODE_INVALID', 'code rejected');
    const codes = this.newRecoveryCodes();
    await this.users.inTransaction((tx) => this.repo.replaceRecoveryCodes(tx, user.id, this.recoveryHashes(codes)));
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'mfa.recovery_codes_regenerated' });
    await this.changed(user, caller, 'recovery_codes_regenerated');
    return codes;
  }

  /** Switches TOTP off with its current code (AuthService has already applied the mfa_required and onboarding rules). */
  async disableMfa(caller: AccountCaller, code?: string): Promise<MfaDisabled> {
    const user = await this.accounts.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (!creds?.totpSecretEnc && !creds?.totpPendingEnc) throw new ProviderError('MFA_NOT_ENROLLED');
    // Only a pending (never confirmed) enrolment: nothing protects the account yet, so there is no code to ask for.
    if (creds.totpSecretEnc) await this.requireCurrentFactor(user, creds.totpSecretEnc, code, 'remove');
    await this.users.inTransaction((tx) => this.repo.disableTotp(tx, user.id));
    if (creds.totpSecretEnc) await this.changed(user, caller, 'removed');
    return { userId: user.id };
  }

  /** A TOTP code or a recovery code as the second factor of a sign-in; which one is told by its shape. */
  async checkSecondFactor(userId: string, sealedSecret: string, input: string): Promise<{ ok: boolean; method: 'totp' | 'recovery_code' }> {
    const code = input.trim();
    if (SIX_DIGITS.test(code)) return { ok: await this.checkTotp(userId, sealedSecret, code), method: 'totp' };
    return { ok: await this.repo.useRecoveryCode(userId, this.accounts.box.mac('recovery', normalizeRecoveryCode(code))), method: 'recovery_code' };
  }

  /** ±1 step of 30 s, and never the same step twice (recorded atomically). */
  async checkTotp(userId: string, sealed: string, code: string): Promise<boolean> {
    const step = this.totpStep(userId, sealed, code);
    return step !== null && this.repo.consumeTotpStep(userId, step);
  }

  /** The time step `code` matches for the sealed secret, or null; records nothing (the caller spends the step). */
  private totpStep(userId: string, sealed: string, code: string): number | null {
    if (!SIX_DIGITS.test(code)) return null;
    let secret: string;
    try {
      secret = this.accounts.box.decrypt(sealed, totpContext(userId));
    } catch {
      this.log.error({ userId }, 'TOTP secret cannot be decrypted (DATA_ENCRYPTION_KEY changed?)');
      return null;
    }
    const result = verifySync({ secret, token: code, epochTolerance: 30 });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  }

  /** Mails the user that a factor changed (the kind only), telling the owner of a change that was not theirs. */
  mailChange(user: UserEntity, change: FactorChange): void {
    if (user.email) this.accounts.send(user, factorChangeMail(this.config, user.email, change), { ip: 'n/a' });
  }

  private async requireCurrentFactor(user: UserEntity, sealed: string, code: string | undefined, action: 'replace' | 'remove'): Promise<void> {
    if (!code) throw new ProviderError('MFA_CODE_REQUIRED', `${action} needs the current code`);
    const { ok, method } = await this.checkSecondFactor(user.id, sealed, code);
    if (!ok) {
      await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'mfa.change_refused', detail: { action, method } });
      throw new ProviderError('MFA_CODE_INVALID', `${action}: ${method} rejected`);
    }
  }

  /** After a change: the other sessions end (a thief's included; the caller's own survives) and the user is told. */
  private async changed(user: UserEntity, caller: AccountCaller, change: FactorChange): Promise<void> {
    await this.sessions.revokeOtherSessions(user.id, caller.principal.sessionId, `mfa.${change}`);
    this.mailChange(user, change);
  }

  private newRecoveryCodes(): string[] {
    return Array.from({ length: LOCAL_LIMITS.recoveryCodes }, recoveryCode);
  }

  private recoveryHashes(codes: string[]): string[] {
    return codes.map((c) => this.accounts.box.mac('recovery', normalizeRecoveryCode(c)));
  }
}

function totpContext(userId: string): string {
  return `totp:${userId}`;
}
