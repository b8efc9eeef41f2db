import { Injectable } from '@nestjs/common';
import { type AuditActor, OnboardingService, UsersService } from '../users';
import type { EmailVerified, MfaDisabled, MfaEnabled } from './providers/auth-provider';

/**
 * Gatehouse's rules on what a provider reports, written once for every provider: a proved mailbox moves the ladder
 * (email_verified) and sets the flag; an enabled second factor records the method and the mfa_enrolled fact, a removed
 * one clears both, each in one commit. `actor` is the reporting provider's (`provider:local`, `provider:cognito`).
 */
@Injectable()
export class AccountFacts {
  constructor(
    private readonly users: UsersService,
    private readonly onboarding: OnboardingService,
  ) {}

  /** pending_verification → pending_approval with the flag in the same UPDATE; from any later state only the flag. */
  async emailVerified(fact: EmailVerified, actor: AuditActor): Promise<void> {
    const stepped = await this.onboarding.recordFact(fact.userId, 'email_verified', actor, { detail: { via: fact.via } });
    if (stepped) return;
    const user = await this.users.findById(fact.userId);
    if (user && !user.emailVerified) {
      await this.users.updateProfile(user.id, { emailVerified: true }, { actor, type: 'email.verified', detail: { via: fact.via } });
    }
  }

  async mfaEnabled(fact: MfaEnabled, actor: AuditActor): Promise<void> {
    const type = fact.replaced ? 'mfa.replaced' : 'mfa.enrolled';
    await this.users.inTransaction(async (tx) => {
      await this.users.updateProfile(fact.userId, { mfaMethod: fact.method }, { actor, type, detail: { method: fact.method } }, tx);
      await this.onboarding.recordFact(fact.userId, 'mfa_enrolled', actor, { detail: { method: fact.method }, tx });
    });
  }

  async mfaDisabled(fact: MfaDisabled, actor: AuditActor): Promise<void> {
    await this.users.inTransaction(async (tx) => {
      await this.users.updateProfile(fact.userId, { mfaMethod: null }, { actor, type: 'mfa.disabled' }, tx);
      await this.onboarding.withdrawFact(fact.userId, 'mfa_enrolled', actor, { tx });
    });
  }
}
