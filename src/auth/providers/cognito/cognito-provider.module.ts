import { Logger, Module } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { AccountLadderModule } from '../../account-ladder';
import { UsersModule } from '../../../users';
import { SessionRevocationModule } from '../../sessions/session-revocation.module';
import { CognitoAdmin } from './cognito-admin.service';
import { MailModule } from '../../../mail';
import { CredentialLimiter } from '../../throttling/credential-limiter';
import { CognitoAuthProvider } from './cognito-auth.provider';
import { CognitoFactorChanges } from './cognito-factor-changes';
import { CognitoIdentities } from './cognito-identities';
import { CognitoMfaMode } from './cognito-mfa-mode';
import { CognitoRegistration } from './cognito-registration';
import { CognitoSessionAdmission } from './cognito-session-admission';
import { CognitoSignIn } from './cognito-sign-in';
import { CognitoSignOutListener } from './cognito-sign-out.listener';
import { AWS_CREDENTIALS_ENV, AwsEnv, COGNITO_CLIENT, cognitoClientSettings, getCognitoClient } from './cognito-client.factory';
import { COGNITO_ROLE_CLAIM_POLICY, CognitoRoleClaimPolicy, checkRoleClaimTrust } from './cognito-role-claim.policy';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

const log = new Logger('CognitoRoleClaim');

/**
 * The Cognito provider, its admin service, the one SDK client and the `custom:role` trust verdict. AuthProviderBindingModule
 * imports this module and binds AUTH_PROVIDER / ROLE_CLAIM_POLICY / AUTH_ADMIN_PORT to what it exports when AUTH_PROVIDER=cognito.
 */
@Module({
  imports: [UsersModule, MailModule, AccountLadderModule, SessionRevocationModule],
  providers: [
    { provide: AWS_CREDENTIALS_ENV, useValue: process.env },
    {
      provide: COGNITO_CLIENT,
      inject: [APP_CONFIG, AWS_CREDENTIALS_ENV],
      useFactory: (config: AppConfig, env: AwsEnv) => getCognitoClient(cognitoClientSettings(config.auth.cognito, env)),
    },
    {
      // Resolved once at start-up (an async factory holds boot until DescribeUserPoolClient answers or fails).
      provide: COGNITO_ROLE_CLAIM_POLICY,
      inject: [APP_CONFIG, COGNITO_CLIENT],
      useFactory: async (config: AppConfig, client: CognitoIdentityProviderClient): Promise<CognitoRoleClaimPolicy> => {
        const policy = await checkRoleClaimTrust(config, client);
        if (config.auth.trustRoleClaim && !policy.trusted) log.warn({ reason: policy.reason }, 'TRUST_ROLE_CLAIM=true but custom:role is NOT trusted');
        if (!policy.tenantTrusted) log.log({ reason: policy.tenantReason }, 'custom:organizationId claims are ignored (the tenant comes from the user row)');
        return policy;
      },
    },
    CredentialLimiter,
    CognitoIdentities,
    CognitoFactorChanges,
    CognitoMfaMode,
    CognitoRegistration,
    CognitoSignIn,
    CognitoSignOutListener,
    CognitoAuthProvider,
    CognitoSessionAdmission,
    CognitoAdmin,
  ],
  exports: [CognitoAuthProvider, CognitoSessionAdmission, CognitoIdentities, CognitoAdmin, CognitoMfaMode, COGNITO_CLIENT, AWS_CREDENTIALS_ENV, COGNITO_ROLE_CLAIM_POLICY],
})
export class CognitoProviderModule {}
