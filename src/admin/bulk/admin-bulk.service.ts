import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AccountAdministration, AccountLadder, type ActionResult, actionOutcome, type AdminActor, type BulkAction, type Outcome } from '../../auth';
import { AppError, BadRequestError } from '../../common/errors/app-error';
import type { ErrorCode } from '../../common/errors/error-codes';
import type { UserStatus } from '../../common/user-status';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { type OnboardingSteps, UsersService } from '../../users';
import type { BulkActionDto } from './admin-bulk.dto';
import { BulkRequests } from './bulk-requests.store';

/** One id's line in the answer. `from`/`to`: the status before and after (or, in a dry run, the predicted one). */
export interface BulkResult {
  id: string;
  outcome: 'applied' | 'unchanged' | 'refused';
  code?: ErrorCode;
  from?: UserStatus;
  to?: UserStatus;
}

export interface BulkAnswer {
  action: BulkAction;
  dryRun: boolean;
  results: BulkResult[];
  counts: { applied: number; unchanged: number; refused: number };
}

const KEY = /^[\x21-\x7e]{8,200}$/;

/**
 * Bulk actions (issue #15): each id gets the single-user action's own outcome. The dry run answers with the pure rule
 * (actionOutcome) and writes nothing; the real run asks the same rule, then runs AccountAdministration's action for
 * the ids it would apply to, one after another (so "last admin" is counted after the previous ids' changes), and the
 * whole answer is stored under the administrator's Idempotency-Key: a replay gets it back and applies nothing.
 */
@Injectable()
export class AdminBulkService {
  private readonly log = new Logger('AdminBulk');
  private readonly steps: OnboardingSteps;

  constructor(
    private readonly accounts: AccountAdministration,
    private readonly ladder: AccountLadder,
    private readonly users: UsersService,
    private readonly requests: BulkRequests,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.steps = config.onboarding;
  }

  async run(dto: BulkActionDto, actor: AdminActor, idempotencyKey: string | undefined): Promise<{ answer: BulkAnswer; replayed: boolean }> {
    if (dto.dryRun === true) return { answer: await this.each(dto, actor, true), replayed: false };
    if (idempotencyKey === undefined || !KEY.test(idempotencyKey)) {
      throw new BadRequestError('IDEMPOTENCY_KEY_REQUIRED', 'An Idempotency-Key header (8 to 200 visible ASCII characters) is required');
    }
    return this.requests.once(actor.userId, idempotencyKey, requestHash(dto), () => this.each(dto, actor, false));
  }

  private async each(dto: BulkActionDto, actor: AdminActor, dryRun: boolean): Promise<BulkAnswer> {
    const results: BulkResult[] = [];
    for (const id of dto.ids) results.push(await this.one(dto.action, id, dto.reason, actor, dryRun));
    const counts = { applied: 0, unchanged: 0, refused: 0 };
    for (const r of results) counts[r.outcome]++;
    return { action: dto.action, dryRun, results, counts };
  }

  private async one(action: BulkAction, id: string, reason: string, actor: AdminActor, dryRun: boolean): Promise<BulkResult> {
    const user = await this.users.findById(id);
    if (!user) return { id, outcome: 'refused', code: 'USER_NOT_FOUND' };
    const from = user.status;
    // Counting other admins takes the admin-set lock: only for the admins an action could take away.
    const others = user.role === 'admin' ? await this.ladder.underAdminSetLock((count) => count(id)) : 1;
    const predicted = actionOutcome(action, user, actor.userId, others, this.steps);
    if (dryRun || predicted.outcome !== 'applied') return line(id, from, predicted);
    try {
      const { changed } = await this.apply(action, id, reason, actor);
      if (!changed) return { id, outcome: 'unchanged', from };
      return { id, outcome: 'applied', from, to: (await this.users.findById(id))?.status ?? from };
    } catch (err) {
      // The single route's refusal (a race the prediction could not see, a provider error): its code, never its text.
      if (!(err instanceof AppError) || err.status >= 500) this.log.warn({ id, action, err: err instanceof Error ? err.message : String(err) }, 'bulk action failed');
      return { id, outcome: 'refused', code: err instanceof AppError ? err.code : 'INTERNAL_ERROR', from };
    }
  }

  private async apply(action: BulkAction, id: string, reason: string, actor: AdminActor): Promise<ActionResult> {
    switch (action) {
      case 'approve':
        return this.accounts.approve(id, actor);
      case 'reject':
        return this.accounts.reject(id, reason, actor);
      case 'suspend':
        return this.accounts.suspend(id, { reason }, actor);
      case 'reactivate':
        return this.accounts.reactivate(id, actor);
      case 'revoke-sessions':
        await this.accounts.signOutEverywhere(id, actor);
        return { changed: true };
      case 'require-mfa':
        await this.accounts.requireMfa(id, actor);
        return { changed: true };
    }
  }
}

function line(id: string, from: UserStatus, o: Outcome): BulkResult {
  if (o.outcome === 'refused') return { id, outcome: 'refused', code: o.code, from };
  if (o.outcome === 'unchanged') return { id, outcome: 'unchanged', from };
  return { id, outcome: 'applied', from, ...(o.to ? { to: o.to } : {}) };
}

/** What a key is bound to: the action, the ids in order and the reason (a replay must be the same request). */
function requestHash(dto: BulkActionDto): string {
  return createHash('sha256').update(JSON.stringify([dto.action, dto.ids.map((i) => i.toLowerCase()), dto.reason])).digest('base64url');
}
