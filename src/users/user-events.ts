import type { UserStatus } from '../common/user-status';
import type { OnboardingEvent } from './onboarding/transitions';

/** In-process domain events of the users module. Higher modules (auth caches, realtime) listen; users imports none of them. */
export const USER_STATUS_CHANGED = 'user.status.changed';
export interface UserStatusChanged {
  userId: string;
  from: UserStatus;
  to: UserStatus;
  event: OnboardingEvent;
  actor: string;
}

/** A user row changed somewhere (this instance or another): drop anything cached about it. */
export const USER_CHANGED = 'user.changed';
export interface UserChanged {
  userId: string;
}

/** The change feed was interrupted: notifications may have been missed, so drop every cached user. */
export const USER_CHANGES_RESET = 'user.changes.reset';
