import { Module } from '@nestjs/common';
import { AuthCoreModule } from '../auth';
import { UsersModule } from '../users';
import { DiagnosisController } from './diagnosis/diagnosis.controller';
import { DiagnosisService } from './diagnosis/diagnosis.service';
import { AdminProviderModule } from './provider/admin-provider.module';
import { SuspensionExpiry } from './suspensions/suspension-expiry';
import { AdminUsersController } from './users/admin-users.controller';
import { AdminUsersService } from './users/admin-users.service';

/**
 * The administrators' HTTP surface (/api/v1/admin). Above `users` and `auth`: ladder moves and reads through users'
 * exports, provider-side actions through auth's AccountAdministration (AUTH_ADMIN_PORT); the provider's status page
 * and self-test live in provider/; "why can't this user sign in?" and reconcile in diagnosis/. Only AppModule imports this module.
 */
@Module({
  imports: [UsersModule, AuthCoreModule, AdminProviderModule],
  controllers: [AdminUsersController, DiagnosisController],
  providers: [AdminUsersService, SuspensionExpiry, DiagnosisService],
})
export class AdminModule {}
