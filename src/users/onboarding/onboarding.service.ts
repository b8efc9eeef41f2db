import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ConflictError, NotFoundError } from '../../common/errors/app-error';
import { UserEntity } from '../user.entity';
import { UsersRepository } from '../users.repository';
import { OnboardingEvent, PREVIOUS, restoredStatus, TRANSITIONS } from './transitions';
import { USER_STATUS_CHANGED, UserStatusChanged } from '../user-events';

type ExtraSet = Parameters<UsersRepository['transition']>[4];

/** Applies ladder events: one conditional UPDATE and one audit row each, then a domain event for listeners. */
@Injectable()
export class OnboardingService {
  constructor(
    private readonly users: UsersRepository,
    private readonly events: EventEmitter2,
  ) {}

  /** Applies `event` or throws 409 INVALID_TRANSITION (404 when the user does not exist). */
  async apply(userId: string, event: OnboardingEvent, actor: string, detail: Record<string, unknown> = {}, extraSet?: ExtraSet): Promise<UserEntity> {
    const done = await this.tryApply(userId, event, actor, detail, extraSet);
    if (done) return done;
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    throw new ConflictError('INVALID_TRANSITION', `Cannot apply ${event} to a user in status ${user.status}`);
  }

  /** Applies `event` when the ladder allows it from the current status; returns null (and changes nothing) otherwise. */
  async tryApply(userId: string, event: OnboardingEvent, actor: string, detail: Record<string, unknown> = {}, extraSet?: ExtraSet): Promise<UserEntity | null> {
    const t = TRANSITIONS[event];
    const set = t.revokesTokens ? { ...extraSet, tokens_valid_after: 'now()' as const } : extraSet;
    const to = t.to === PREVIOUS ? restoredStatus(await this.users.statusBeforeLastDisable(userId)) : t.to;
    const result = await this.users.transition(userId, t.from, to, { actor, type: `status.${event.toLowerCase()}`, detail }, set);
    if (!result) return null;
    const payload: UserStatusChanged = { userId, from: result.from, to: result.user.status, event, actor };
    this.events.emit(USER_STATUS_CHANGED, payload);
    return result.user;
  }
}
