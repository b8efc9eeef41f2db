import { Inject, Injectable } from '@nestjs/common';
import { AccountAdministration, AccountReconciliation, type AdminActor, AdminPortError, type ReconcileStep } from '../../auth';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { BLOCK_KINDS, type OnboardingSteps, type UserEntity, UsersService } from '../../users';
import { SuspensionExpiry } from '../suspensions/suspension-expiry';
import { waitingFor } from '../users/admin-user.view';
import { type Diagnosis, diagnose, type GatehouseView, type ProviderSide } from './diagnosis-rules';

export interface DiagnosisAnswer extends Diagnosis {
  userId: string;
  gatehouse: GatehouseView;
  provider: ProviderSide;
}

/** One reconcilable drift and what reconcile did with it (`refused` carries the safety rule's code). */
export interface ReconcileEntry {
  kind: string;
  step: ReconcileStep;
  result: 'applied' | 'unchanged' | 'refused';
  reason?: string;
}

export interface ReconcileAnswer {
  entries: ReconcileEntry[];
  /** Drift reconcile leaves to an administrator or the user (see each one's fixes). */
  manual: string[];
  /** The diagnosis after reconciling. */
  diagnosis: DiagnosisAnswer;
}

/**
 * "Why can't this user sign in?": gathers Gatehouse's view (the row, the login lockout) and the provider's (through
 * the admin port), hands both to the pure rules, and for reconcile applies the steps the rules mark safe, one audit
 * row each plus one `admin.reconciled` row for the whole call.
 */
@Injectable()
export class DiagnosisService {
  private readonly steps: OnboardingSteps;

  constructor(
    private readonly accounts: AccountAdministration,
    private readonly reconciliation: AccountReconciliation,
    private readonly users: UsersService,
    private readonly expiry: SuspensionExpiry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.steps = config.onboarding;
  }

  async diagnosis(userId: string, now = new Date()): Promise<DiagnosisAnswer> {
    let user = await this.load(userId);
    // A timed suspension that is over is lifted first, as the admin page does: it is not a reason any more.
    if (await this.expiry.liftIfDue(user, now)) user = await this.load(userId);
    const gatehouse = await this.gatehouseView(user);
    const provider = await this.providerSide(user);
    return { userId: user.id, ...diagnose(gatehouse, provider), gatehouse, provider };
  }

  async reconcile(userId: string, actor: AdminActor): Promise<ReconcileAnswer> {
    const before = await this.diagnosis(userId);
    const entries: ReconcileEntry[] = [];
    for (const d of before.drift) {
      if (!d.reconcile) continue;
      const outcome = await this.reconciliation.apply(userId, d.reconcile, actor);
      entries.push({ kind: d.kind, step: d.reconcile, result: outcome.result, ...('code' in outcome ? { reason: outcome.code } : {}) });
    }
    const manual = before.drift.filter((d) => !d.reconcile).map((d) => d.kind);
    await this.users.recordEvent({
      userId,
      actor: `admin:${actor.userId}`,
      type: 'admin.reconciled',
      detail: { entries: entries.map((e) => ({ kind: e.kind, result: e.result, ...(e.reason ? { reason: e.reason } : {}) })), manual, ...(actor.requestId ? { requestId: actor.requestId } : {}) },
    });
    return { entries, manual, diagnosis: await this.diagnosis(userId) };
  }

  private async gatehouseView(user: UserEntity): Promise<GatehouseView> {
    return {
      status: user.status,
      waitingFor: waitingFor(user, this.steps),
      blocks: BLOCK_KINDS.flatMap((k) => {
        const b = user.blocks[k];
        return b ? [{ kind: b.kind, by: b.by, reason: b.reason ?? null, until: b.until ?? null }] : [];
      }),
      role: user.role,
      emailVerified: user.emailVerified,
      mfa: { required: user.mfaRequired, enrolled: user.mfaEnrolledAt !== null, method: user.mfaMethod },
      sessionsValidAfter: user.tokensValidAfter?.toISOString() ?? null,
      lockout: await this.accounts.loginLock(user),
    };
  }

  /** The provider's view, or its error code: an outage must not hide Gatehouse's own reasons. */
  private async providerSide(user: UserEntity): Promise<ProviderSide> {
    const provider = this.accounts.port.provider;
    if (user.authProvider !== provider) return { available: false, provider, code: 'NOT_SUPPORTED' };
    try {
      const d = await this.accounts.inspect(user.id);
      return {
        available: true,
        provider,
        enabled: d.enabled ?? null,
        status: d.status ?? null,
        emailVerified: d.emailVerified ?? null,
        mfa: d.mfa ?? [],
        preferredMfa: d.preferredMfa ?? null,
        groups: d.groups,
        groupRole: d.groupRole ?? null,
        lock: d.lock,
      };
    } catch (err) {
      return { available: false, provider, code: err instanceof AppError ? err.code : 'PROVIDER_UNAVAILABLE' };
    }
  }

  private async load(userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw new AdminPortError('USER_NOT_FOUND', `no user ${userId}`);
    return user;
  }
}
