import { Module } from '@nestjs/common';
import { AccountLadderModule, AuthCoreModule } from '../auth';
import { UsersModule } from '../users';
import { AuditController } from './audit/audit.controller';
import { AuditRetention } from './audit/audit-retention';
import { AuditService } from './audit/audit.service';
import { DiagnosisController } from './diagnosis/diagnosis.controller';
import { DiagnosisService } from './diagnosis/diagnosis.service';
import { AdminProviderModule } from './provider/admin-provider.module';
import { AdminBulkController } from './bulk/admin-bulk.controller';
import { AdminBulkService } from './bulk/admin-bulk.service';
import { BulkRequests } from './bulk/bulk-requests.store';
import { BulkRequestsRetention } from './bulk/bulk-requests-retention';
import { AdminSessionsController } from './sessions/admin-sessions.controller';
import { SuspensionExpiry } from './suspensions/suspension-expiry';
import { AdminUsersController } from './users/admin-users.controller';
import { AdminUsersService } from './users/admin-users.service';

/**
 * The administrators' HTTP surface (/api/v1/admin). Above `users` and `auth`: ladder moves and reads through users'
 * exports, provider-side actions through auth's AccountAdministration (AUTH_ADMIN_PORT); the provider's status page
 * and self-test live in provider/; "why can't this user sign in?" and reconcile in diagnosis/; the audit trail's reads,
 * export, verification and retention in audit/. Only AppModule imports this module.
 */
@Module({
  imports: [UsersModule, AuthCoreModule, AccountLadderModule, AdminProviderModule],
  controllers: [AdminBulkController, AdminUsersController, AdminSessionsController, DiagnosisController, AuditController],
  providers: [AdminUsersService, SuspensionExpiry, AdminBulkService, BulkRequests, BulkRequestsRetention, DiagnosisService, AuditService, AuditRetention],
})
export class AdminModule {}
