import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { EntityManager } from 'typeorm';
import { ConflictError, NotFoundError } from '../../common/errors/app-error';
import type { UserStatus } from '../../common/user-status';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import type { AuditActor } from '../audit-event';
import { CommitHooks } from '../commit-hooks';
import { USER_STATUS_CHANGED, UserStatusChanged } from '../user-events';
import { UserEntity } from '../user.entity';
import { UsersRepository } from '../users.repository';
import {
  type BlockAuthority,
  type BlockKind,
  deriveStatus,
  EVENT_CHANGES,
  eventOf,
  type Fact,
  type LadderChange,
  type OnboardingEvent,
  type OnboardingSteps,
  planChange,
  type Refusal,
  type WithdrawableFact,
} from './transitions';

/** What a ladder call did: the updated user, or why nothing changed (and the status it stayed in). */
export type LadderOutcome = { done: true; user: UserEntity; from: UserStatus } | { done: false; refused: Refusal; status: UserStatus };

/** Options of every ladder write: audit detail, and the caller's transaction to join (its commit is the change's). */
export interface LadderOptions {
  detail?: Record<string, unknown>;
  tx?: EntityManager;
}

/**
 * The ladder as a service: each call is ONE change (a fact recorded or withdrawn, a block laid or lifted), applied as
 * one UPDATE that also writes the status derived from the facts, blocks and this deployment's steps, plus one audit
 * row; after the commit (the caller's, when `tx` is given) USER_STATUS_CHANGED fires on this instance when the status
 * moved. Nothing changes when the change is refused.
 */
@Injectable()
export class OnboardingService {
  private readonly steps: OnboardingSteps;

  constructor(
    private readonly users: UsersRepository,
    private readonly events: EventEmitter2,
    private readonly hooks: CommitHooks,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.steps = config.onboarding;
  }

  /** Progress made (address verified, approved, MFA enrolled, entitled). Null when already so or not allowed. */
  recordFact(userId: string, fact: Fact, actor: AuditActor, opts: LadderOptions = {}): Promise<UserEntity | null> {
    return this.tryChange(userId, { op: 'record', fact }, actor, opts);
  }

  /** Progress taken back (a second factor removed, an entitlement ended). Null when it was not recorded. */
  withdrawFact(userId: string, fact: WithdrawableFact, actor: AuditActor, opts: LadderOptions = {}): Promise<UserEntity | null> {
    return this.tryChange(userId, { op: 'withdraw', fact }, actor, opts);
  }

  /** Lays a block (and sets the revocation watermark). `by` says whose it is: billing may lift only its own. */
  block(userId: string, block: { kind: BlockKind; by: BlockAuthority; reason?: string | null; until?: Date | null }, actor: AuditActor, opts: LadderOptions = {}): Promise<LadderOutcome | null> {
    const change: LadderChange = { op: 'block', kind: block.kind, by: block.by, reason: block.reason ?? null, until: block.until?.toISOString() ?? null };
    return this.change(userId, change, actor, opts);
  }

  /** Lifts a block; the status falls back to wherever the progress facts say. Refused HELD_BY_ADMIN for billing. */
  unblock(userId: string, kind: BlockKind, by: BlockAuthority, actor: AuditActor, opts: LadderOptions = {}): Promise<LadderOutcome | null> {
    return this.change(userId, { op: 'unblock', kind, by }, actor, opts);
  }

  /** Applies a named event (administrators' vocabulary) or throws 409 INVALID_TRANSITION / 404 USER_NOT_FOUND. */
  async apply(userId: string, event: OnboardingEvent, actor: AuditActor, detail: Record<string, unknown> = {}, tx?: EntityManager): Promise<UserEntity> {
    const outcome = await this.change(userId, EVENT_CHANGES[event], actor, { detail, tx });
    if (!outcome) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    if (!outcome.done) throw new ConflictError('INVALID_TRANSITION', `Cannot apply ${event} to a user in status ${outcome.status}`);
    return outcome.user;
  }

  /** Applies a named event and says what happened: the outcome (refusals with the status), or null for no such user. */
  attempt(userId: string, event: OnboardingEvent, actor: AuditActor, opts: LadderOptions = {}): Promise<LadderOutcome | null> {
    return this.change(userId, EVENT_CHANGES[event], actor, opts);
  }

  /** Applies a named event; null (and nothing changed) when refused or the user does not exist. */
  tryApply(userId: string, event: OnboardingEvent, actor: AuditActor, detail: Record<string, unknown> = {}, tx?: EntityManager): Promise<UserEntity | null> {
    return this.tryChange(userId, EVENT_CHANGES[event], actor, { detail, tx });
  }

  private async tryChange(userId: string, change: LadderChange, actor: AuditActor, opts: LadderOptions): Promise<UserEntity | null> {
    const outcome = await this.change(userId, change, actor, opts);
    return outcome?.done ? outcome.user : null;
  }

  private async change(userId: string, change: LadderChange, actor: AuditActor, opts: LadderOptions): Promise<LadderOutcome | null> {
    const event = eventOf(change);
    const detail = { ...opts.detail, ...('by' in change ? { by: change.by } : {}), ...(change.op === 'block' && change.reason ? { reason: change.reason } : {}) };
    const result = await this.users.ladderWrite<Refusal>(
      userId,
      (current) => {
        const planned = planChange(current, change, new Date().toISOString());
        if ('refused' in planned) return { refused: planned.refused };
        const status = deriveStatus(planned.facts, planned.blocks, this.steps);
        return { next: { ...planned, status }, audit: { actor, type: `status.${event.toLowerCase()}`, detail } };
      },
      opts.tx,
    );
    if (!result) return null;
    if ('refused' in result) return { done: false, refused: result.refused, status: result.status };
    if (result.from !== result.user.status) {
      const payload: UserStatusChanged = { userId, from: result.from, to: result.user.status, event, actor };
      const emit = () => this.events.emit(USER_STATUS_CHANGED, payload);
      if (opts.tx) this.hooks.afterCommit(opts.tx, emit);
      else emit();
    }
    return { done: true, user: result.user, from: result.from };
  }
}
