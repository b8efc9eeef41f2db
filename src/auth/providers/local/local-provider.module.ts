import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { MailModule } from '../../../mail';
import { UsersModule } from '../../../users';
import { AccountLadderModule } from '../../account-ladder';
import { SessionRevocationModule } from '../../sessions/session-revocation.module';
import { LoginLockoutReader } from '../../throttling/login-lockout.reader';
import { LocalAccounts } from './local-accounts';
import { LocalAdmin } from './local-admin.service';
import { LocalAdminDirectory } from './local-admin-directory';
import { LocalAdminEnrolment } from './local-admin-enrolment';
import { LocalAuthProvider } from './local-auth.provider';
import { LocalAuthRepository } from './local-auth.repository';
import { LocalDirectoryRepository } from './local-directory.repository';
import { LocalFactors } from './local-factors';
import { LocalRecovery } from './local-recovery';
import { LocalRegistration } from './local-registration';
import { LocalSessionDirectory } from './local-session-directory';
import { LocalSessionStore } from './local-session.store';
import { LocalSessions } from './local-sessions';
import { LocalSignIn } from './local-sign-in';
import { LocalUserInspection } from './local-user-inspection';
import { LOCAL_SECRETS, loadLocalSecrets } from './local-secrets';
import { WellKnownController } from './well-known.controller';

/**
 * The local provider, its tables, its key material (loaded before anything can sign or verify), the admin port on
 * its own users (bound as AUTH_ADMIN_PORT by AuthProviderBindingModule) and the JWKS and discovery endpoints. AuthProviderBindingModule imports it only when AUTH_PROVIDER=local.
 */
@Module({
  imports: [UsersModule, MailModule, SessionRevocationModule, AccountLadderModule],
  controllers: [WellKnownController],
  providers: [
    LocalAuthRepository,
    LocalDirectoryRepository,
    LocalSessionStore,
    { provide: LOCAL_SECRETS, inject: [APP_CONFIG, LocalAuthRepository], useFactory: (config: AppConfig, repo: LocalAuthRepository) => loadLocalSecrets(config, repo) },
    LocalAccounts,
    LocalRegistration,
    LocalFactors,
    LocalSessions,
    LocalSignIn,
    LocalRecovery,
    LocalAuthProvider,
    LoginLockoutReader,
    LocalUserInspection,
    LocalAdminDirectory,
    LocalAdminEnrolment,
    LocalAdmin,
    LocalSessionDirectory,
  ],
  exports: [LocalAuthProvider, LocalAdmin, LocalSessionDirectory, LOCAL_SECRETS],
})
export class LocalProviderModule {}
