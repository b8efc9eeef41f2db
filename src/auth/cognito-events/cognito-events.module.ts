import { Module } from '@nestjs/common';
import { UsersModule } from '../../users';
import { CognitoProviderModule } from '../providers/cognito/cognito-provider.module';
import { CognitoEventsController } from './cognito-events.controller';
import { CognitoEventsService } from './cognito-events.service';

/**
 * POST /api/v1/hooks/cognito-events: CloudTrail's record of a Cognito operator action (through EventBridge) mirrored
 * into auth.users. Imported only when AUTH_PROVIDER=cognito; depends on users and the Cognito provider, never the
 * other way round.
 */
@Module({
  imports: [UsersModule, CognitoProviderModule],
  controllers: [CognitoEventsController],
  providers: [CognitoEventsService],
})
export class CognitoEventsModule {}
