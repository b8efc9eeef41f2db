// What other modules may use of `users`: the record, the service that writes it, the ladder and its domain events.
// Everything else under src/users is internal (eslint.config.mjs refuses deep imports from other modules).
export { UsersModule } from './users.module';
export { UsersService } from './users.service';
export { UserEntity } from './user.entity';
export { UserQueries, type KeysetPosition, type SortDir, type SortKey } from './user-queries';
export { AccountMirror, type MirrorOutcome } from './account-mirror.service';
export { OnboardingService, type LadderOutcome } from './onboarding/onboarding.service';
export { BLOCK_KINDS, deriveStatus, EVENT_CHANGES, planChange, type Block, type LadderState, type OnboardingSteps } from './onboarding/transitions';
export { ladderStateOf } from './onboarding/ladder-state';
export { USER_CHANGED, USER_CHANGES_RESET, USER_STATUS_CHANGED, type UserChanged, type UserStatusChanged } from './user-events';
export { USER_CHANGE_FEED, type UserChangeFeed } from './user-change.listener';
export { AUDIT_EVENT_TYPES, AUDIT_RESULTS, type AuditActor, type AuditEventName, type AuditEventType, type AuditResult } from './audit-event';
export { AuditTrail, type AuditFilters, type AuditRow, type ChainHead, type PruneOutcome, type VerifyOutcome } from './audit/audit-trail';
