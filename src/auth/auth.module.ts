import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UsersModule } from '../users/users.module';
import { AuthGuard } from './guards/auth.guard';
import { HostedLoginController } from './hosted/hosted-login.controller';
import { HostedLoginService } from './hosted/hosted-login.service';
import { OidcClientFactory } from './hosted/oidc-client.factory';
import { JwtStrategy } from './jwt.strategy';
import { PrincipalResolver } from './principal.resolver';
import { ROLE_CLAIM_POLICY, RoleClaimPolicy } from './role-claim-policy';
import { buildIssuerPolicies } from './tokens/issuer-policies.factory';
import { JwksKeySource } from './tokens/jwks-key-source';
import { KeySource, LOCAL_KEY_SOURCE } from './tokens/key-source';
import { TokenVerifier } from './tokens/token-verifier';

const jwksLogger = new Logger('Jwks');

/** Providers (local, cognito, oidc), the one token verifier, the global guard, and hosted login. */
@Module({
  imports: [UsersModule, PassportModule],
  controllers: [HostedLoginController],
  providers: [
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG, { token: LOCAL_KEY_SOURCE, optional: true }],
      useFactory: (config: AppConfig, localKeys?: KeySource) =>
        new TokenVerifier(
          buildIssuerPolicies(config, {
            localKeys,
            log: (msg, detail) => jwksLogger.warn(detail ?? {}, msg),
            minRefetchIntervalMs: config.auth.jwksRefetchIntervalS * 1000,
          }),
          { clockSkewS: config.auth.clockSkewS },
        ),
    },
    {
      // Cognito binds its own policy after checking the app client cannot write custom:role; elsewhere, config decides.
      provide: ROLE_CLAIM_POLICY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RoleClaimPolicy => ({ trusted: config.auth.trustRoleClaim && config.auth.provider !== 'cognito' }),
    },
    PrincipalResolver,
    JwtStrategy,
    OidcClientFactory,
    HostedLoginService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenVerifier, PrincipalResolver],
})
export class AuthModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** JWKS are fetched at start-up without holding it up: a failure is logged and retried on the first unknown kid. */
  onModuleInit(): void {
    for (const p of this.verifier.policies) {
      if (p.keys instanceof JwksKeySource) void p.keys.start();
    }
    if (this.verifier.policies.length === 0) {
      jwksLogger.warn({ provider: this.config.auth.provider }, 'no trusted token issuer is configured: every bearer token will be refused');
    }
  }

  onApplicationShutdown(): void {
    for (const p of this.verifier.policies) if (p.keys instanceof JwksKeySource) p.keys.stop();
  }
}
