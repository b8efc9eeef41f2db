import { Injectable, Logger } from '@nestjs/common';
import { generateSecret, generateURI, verifySync } from 'otplib';
import { OnboardingService } from '../../../users/onboarding/onboarding.service';
import { UsersService } from '../../../users/users.service';
import type { AccountCaller, MfaEnrollment } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { LocalAccounts } from './local-accounts';
import { LocalAuthRepository } from './local-auth.repository';
import { LOCAL_ACTOR, LOCAL_LIMITS } from './local-limits';
import { normalizeRecoveryCode, recoveryCode } from './random-codes';

const TOTP_ISSUER = 'Gatehouse';
export const SIX_DIGITS = /^\d{6}$/;

/** Second factors of the local provider: TOTP enrolment and checks (replay-proof), recovery codes. */
@Injectable()
export class LocalFactors {
  private readonly log = new Logger('LocalAuthProvider');

  constructor(
    private readonly accounts: LocalAccounts,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
    private readonly onboarding: OnboardingService,
  ) {}

  async startMfaEnrollment(caller: AccountCaller): Promise<MfaEnrollment> {
    const user = await this.accounts.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (!creds) throw new ProviderError('NOT_SUPPORTED', 'no local credentials');
    if (creds.totpSecretEnc) throw new ProviderError('MFA_ALREADY_ENABLED');
    const secret = generateSecret();
    await this.repo.setPendingTotp(user.id, this.accounts.box.encrypt(secret, totpContext(user.id)));
    await this.users.recordEvent({ userId: user.id, actor: LOCAL_ACTOR, type: 'mfa.enrollment_started', detail: { method: 'totp' } });
    return { secret, otpauthUrl: generateURI({ issuer: TOTP_ISSUER, label: user.email ?? user.id, secret }) };
  }

  async verifyMfaEnrollment(caller: AccountCaller, code: string): Promise<{ recoveryCodes?: string[] }> {
    const user = await this.accounts.callerUser(caller);
    const creds = await this.repo.credentials(user.id);
    if (creds?.totpSecretEnc) throw new ProviderError('MFA_ALREADY_ENABLED');
    if (!creds?.totpPendingEnc) throw new ProviderError('MFA_NOT_ENROLLED', 'no enrolment started');
    if (!(await this.checkTotp(user.id, creds.totpPendingEnc, code.trim()))) throw new ProviderError('MFA_CODE_INVALID', 'enrolment code rejected');
    const codes = this.newRecoveryCodes();
    const enabled = await this.users.inTransaction(async (tx) => {
      if (!(await this.repo.enableTotp(tx, user.id, creds.totpPendingEnc as string))) return false;
      await this.repo.replaceRecoveryCodes(tx, user.id, this.recoveryHashes(codes));
      return true;
    });
    if (!enabled) throw new ProviderError('MFA_CODE_INVALID', 'enrolment changed concurrently');
    await this.users.updateProfile(user.id, { mfaMethod: 'totp', mfaEnrolledAt: new Date() }, { actor: LOCAL_ACTOR, type: 'mfa.enrolled', detail: { method: 'totp' } });
    await this.onboarding.tryApply(user.id, 'MFA_ENROLLED', LOCAL_ACTOR, { method: 'totp' });
    return { recoveryCodes: codes };
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
    return codes;
  }

  async disableMfa(caller: AccountCaller): Promise<void> {
    const user = await this.accounts.callerUser(caller);
    if (user.mfaRequired) throw new ProviderError('MFA_REQUIRED_BY_ADMIN', `user ${user.id} has mfa_required`);
    const creds = await this.repo.credentials(user.id);
    if (!creds?.totpSecretEnc && !creds?.totpPendingEnc) throw new ProviderError('MFA_NOT_ENROLLED');
    await this.users.inTransaction((tx) => this.repo.disableTotp(tx, user.id));
    await this.users.updateProfile(user.id, { mfaMethod: null, mfaEnrolledAt: null }, { actor: LOCAL_ACTOR, type: 'mfa.disabled' });
  }

  /** A TOTP code or a recovery code as the second factor of a sign-in; which one is told by its shape. */
  async checkSecondFactor(userId: string, sealedSecret: string, input: string): Promise<{ ok: boolean; method: 'totp' | 'recovery_code' }> {
    const code = input.trim();
    if (SIX_DIGITS.test(code)) return { ok: await this.checkTotp(userId, sealedSecret, code), method: 'totp' };
    return { ok: await this.repo.useRecoveryCode(userId, this.accounts.box.mac('recovery', normalizeRecoveryCode(code))), method: 'recovery_code' };
  }

  /** ±1 step of 30 s, and never the same step twice (recorded atomically). */
  async checkTotp(userId: string, sealed: string, code: string): Promise<boolean> {
    if (!SIX_DIGITS.test(code)) return false;
    let secret: string;
    try {
      secret = this.accounts.box.decrypt(sealed, totpContext(userId));
    } catch {
      this.log.error({ userId }, 'TOTP secret cannot be decrypted (DATA_ENCRYPTION_KEY changed?)');
      return false;
    }
    const result = verifySync({ secret, token: code, epochTolerance: 30 });
    if (!result.valid || !('timeStep' in result)) return false;
    return this.repo.consumeTotpStep(userId, result.timeStep);
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
