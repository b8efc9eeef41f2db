import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountMirror } from './account-mirror.service';
import { AuditTrail } from './audit/audit-trail';
import { CommitHooks } from './commit-hooks';
import { OnboardingService } from './onboarding/onboarding.service';
import { UserCache } from './user-cache';
import { USER_CHANGE_FEED, UserChangeListener } from './user-change.listener';
import { UserEventEntity } from './user-event.entity';
import { UserQueries } from './user-queries';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** The user record, its repository and the onboarding ladder. Knows nothing of tokens, HTTP auth, webhooks or sockets. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, UserEventEntity])],
  controllers: [UsersController],
  providers: [AuditTrail, CommitHooks, UsersRepository, UserQueries, UsersService, UserCache, OnboardingService, AccountMirror, UserChangeListener, { provide: USER_CHANGE_FEED, useExisting: UserChangeListener }],
  exports: [AuditTrail, UsersService, OnboardingService, AccountMirror, UserQueries, USER_CHANGE_FEED],
})
export class UsersModule {}
