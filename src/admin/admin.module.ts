import { Module } from '@nestjs/common';
import { AuthCoreModule } from '../auth';
import { UsersModule } from '../users';
import { AuditController } from './audit/audit.controller';
import { AuditRetention } from './audit/audit-retention';
import { AuditService } from './audit/audit.service';
import { AdminProviderModule } from './provider/admin-provider.module';
import { SuspensionExpiry } from './suspensions/suspension-expiry';
import { AdminUsersController } from './users/admin-users.controller';
import { AdminUsersService } from './users/admin-users.service';

/**
 * The administrators' HTTP surface (/api/v1/admin). Above `users` and `auth`: ladder moves and reads through users'
 * exports, provider-side actions through auth's AccountAdministration (AUTH_ADMIN_PORT); the provider's status page
 * and self-test live in provider/; the audit trail's reads, export, verification and retention in audit/. Only AppModule imports this module.
 */
@Module({
  imports: [UsersModule, AuthCoreModule, AdminProviderModule],
  controllers: [AdminUsersController, AuditController],
  providers: [AdminUsersService, SuspensionExpiry, AuditService, AuditRetention],
})
export class AdminModule {}
