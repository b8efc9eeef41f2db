import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UsersModule } from '../users';
import { AccountLadderModule } from './account-ladder';
import { CognitoEventsModule } from './cognito-events/cognito-events.module';
import { AUTH_ADMIN_PORT } from './providers/admin-port';
import { AUTH_PROVIDER } from './providers/auth-provider';
import { CognitoAdmin } from './providers/cognito/cognito-admin.service';
import { CognitoAuthProvider } from './providers/cognito/cognito-auth.provider';
import { CognitoProviderModule } from './providers/cognito/cognito-provider.module';
import { CognitoSessionAdmission } from './providers/cognito/cognito-session-admission';
import { COGNITO_ROLE_CLAIM_POLICY } from './providers/cognito/cognito-role-claim.policy';
import { LocalAdmin } from './providers/local/local-admin.service';
import { LocalAuthProvider } from './providers/local/local-auth.provider';
import { LOCAL_SECRETS, type LocalSecrets } from './providers/local/local-secrets';
import { LocalProviderModule } from './providers/local/local-provider.module';
import { OidcAdmin } from './providers/oidc/oidc-admin.service';
import { OidcAuthProvider } from './providers/oidc/oidc-auth.provider';
import { ROLE_CLAIM_POLICY, type RoleClaimPolicy } from './role-claim-policy';
import { SESSION_ADMISSION } from './sessions/session-admission';
import { SESSION_DIRECTORY } from './sessions/session-directory';
import { UnlistedSessions } from './sessions/unlisted-sessions';
import { LocalSessionDirectory } from './providers/local/local-session-directory';
import { type KeySource, LOCAL_KEY_SOURCE } from './tokens/key-source';

/** Outside Cognito, config decides whether custom:role is trusted (local tokens never carry it). */
const configRoleClaimPolicy: Provider = {
  provide: ROLE_CLAIM_POLICY,
  inject: [APP_CONFIG],
  // The tenant claim: local tokens never carry it, and an OIDC issuer's claims are the issuer's to vouch for.
  useFactory: (config: AppConfig): RoleClaimPolicy => ({ trusted: config.auth.trustRoleClaim && config.auth.provider !== 'cognito', tenantTrusted: config.auth.provider !== 'cognito' }),
};

/**
 * The active provider's module and bindings. Only the configured provider is instantiated: a Cognito deployment
 * never generates local keys, and a local one never builds an AWS client. (Config validation already applied the
 * fallback rules: a half-configured provider falls back to local in development and stops start-up in production.)
 */
function providerWiring(config: AppConfig): { imports: Type[]; providers: Provider[] } {
  switch (config.auth.provider) {
    case 'cognito':
      return {
        // CognitoEventsModule: console changes reported by CloudTrail/EventBridge (POST /api/v1/hooks/cognito-events).
        imports: [CognitoProviderModule, CognitoEventsModule],
        providers: [
          { provide: AUTH_PROVIDER, useExisting: CognitoAuthProvider },
          // Cognito's verdict on custom:role comes from DescribeUserPoolClient at start-up.
          { provide: ROLE_CLAIM_POLICY, useExisting: COGNITO_ROLE_CLAIM_POLICY },
          { provide: AUTH_ADMIN_PORT, useExisting: CognitoAdmin },
          // #20.4: a session that did not come through /auth/login is checked once for the enrolled factor.
          { provide: SESSION_ADMISSION, useExisting: CognitoSessionAdmission },
          { provide: SESSION_DIRECTORY, useValue: new UnlistedSessions('cognito') },
        ],
      };
    case 'oidc':
      return {
        imports: [],
        providers: [
          OidcAuthProvider,
          OidcAdmin,
          { provide: AUTH_PROVIDER, useExisting: OidcAuthProvider },
          { provide: AUTH_ADMIN_PORT, useExisting: OidcAdmin },
          { provide: SESSION_DIRECTORY, useValue: new UnlistedSessions('oidc') },
          configRoleClaimPolicy,
        ],
      };
    case 'local':
      return {
        imports: [LocalProviderModule],
        providers: [
          { provide: AUTH_PROVIDER, useExisting: LocalAuthProvider },
          { provide: AUTH_ADMIN_PORT, useExisting: LocalAdmin },
          { provide: SESSION_DIRECTORY, useExisting: LocalSessionDirectory },
          { provide: LOCAL_KEY_SOURCE, inject: [LOCAL_SECRETS], useFactory: (s: LocalSecrets): KeySource => s.signingKey },
          configRoleClaimPolicy,
        ],
      };
  }
}

/**
 * The choice of provider, made once (AuthModule.forRoot) and visible everywhere (global, like TypeOrmModule.forRoot):
 * AUTH_PROVIDER, AUTH_ADMIN_PORT, SESSION_DIRECTORY, ROLE_CLAIM_POLICY and, for the local provider, LOCAL_KEY_SOURCE. The static
 * AuthCoreModule builds on these, which is what lets any module import the core as often as it likes.
 */
@Module({})
export class AuthProviderBindingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const wiring = providerWiring(config);
    const tokens = [
      AUTH_PROVIDER,
      ROLE_CLAIM_POLICY,
      AUTH_ADMIN_PORT,
      SESSION_DIRECTORY,
      ...(config.auth.provider === 'local' ? [LOCAL_KEY_SOURCE] : []),
      ...(config.auth.provider === 'cognito' ? [SESSION_ADMISSION] : []),
    ];
    return {
      module: AuthProviderBindingModule,
      global: true,
      // UsersModule: the OIDC provider (bound here, having no module of its own) records sign-outs.
      imports: [UsersModule, AccountLadderModule, ...wiring.imports],
      providers: wiring.providers,
      // The provider module is re-exported for what tests and the provider's own surfaces inject (LocalAdmin, CognitoAdmin…).
      exports: [...tokens, ...wiring.imports],
    };
  }
}
