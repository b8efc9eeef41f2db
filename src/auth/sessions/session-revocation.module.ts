import { Module } from '@nestjs/common';
import { UsersModule } from '../../users';
import { SessionRevocations } from './session-revocations';

/** The revoked-sessions list, shared by the verifier's principal resolver, the providers and hosted-login logout. */
@Module({
  imports: [UsersModule],
  providers: [SessionRevocations],
  exports: [SessionRevocations],
})
export class SessionRevocationModule {}
