import { Module } from '@nestjs/common';
import { UsersModule } from '../../users';
import { AdminProviderController } from './admin-provider.controller';
import { ProviderStatusService } from './provider-status.service';
import { ProviderTestThrottlerGuard } from './provider-test-throttler.guard';

/**
 * GET /admin/provider and POST /admin/provider/test. The admin port, the Cognito client and the throttler come from
 * AuthModule's global bindings (AUTH_ADMIN_PORT; COGNITO_CLIENT only when AUTH_PROVIDER=cognito).
 */
@Module({
  imports: [UsersModule],
  controllers: [AdminProviderController],
  providers: [ProviderStatusService, ProviderTestThrottlerGuard],
})
export class AdminProviderModule {}
