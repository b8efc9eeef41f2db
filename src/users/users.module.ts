import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserEventEntity } from './user-event.entity';
import { UserEntity } from './user.entity';

/** The user record, its repository and the onboarding ladder. Knows nothing of tokens, HTTP auth, webhooks or sockets. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, UserEventEntity])],
  exports: [TypeOrmModule],
})
export class UsersModule {}
