import { DynamicModule, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { AuthGuard } from './guards/auth.guard';
import { assertTokenUse } from './guards/access-rules';
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
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AUTH_PROVIDER, type AuthProvider } from './providers/auth-provider';
import { BEARER_TOKEN_VALIDATOR, type BearerTokenValidator } from './providers/bearer-token-validator';
import { CognitoAuthProvider } from './providers/cognito/cognito-auth.provider';
import { CognitoProviderModule } from './providers/cognito/cognito-provider.module';
import { CognitoEventsModule } from './cognito-events/cognito-events.module';
import { COGNITO_ROLE_CLAIM_POLICY } from './providers/cognito/cognito-role-claim.policy';
import { LocalAuthProvider } from './providers/local/local-auth.provider';
import { LOCAL_SECRETS, type LocalSecrets } from './providers/local/local-secrets';
import { LocalProviderModule } from './providers/local/local-provider.module';
import { OidcAuthProvider } from './providers/oidc/oidc-auth.provider';
import { throttlerStorageFor } from '../common/throttling/redis-throttler.storage';
import { SessionRevocationModule } from './sessions/session-revocation.module';
import { CredentialLimiter } from './throttling/credential-limiter';
import { CREDENTIALS_THROTTLER, CredentialThrottlerGuard, SENSITIVE_ROUTE_THROTTLER } from './throttling/credential-throttler.guard';

const jwksLogger = new Logger('Jwks');

/**
 * The active provider's module and bindings. Only the configured provider is instantiated: a Cognito deployment
 * never generates local keys, and a local one never builds an AWS client. (Config validation already applied the
 * fallback rules: a half-configured provider falls back to local in development and stops start-up in production.)
 */
function providerWiring(config: AppConfig): { imports: Array<Type | DynamicModule>; providers: Provider[] } {
  switch (config.auth.provider) {
    case 'cognito':
      return {
        // CognitoEventsModule: console changes reported by CloudTrail/EventBridge (POST /api/v1/hooks/cognito-events).
        imports: [CognitoProviderModule, CognitoEventsModule],
        providers: [
          { provide: AUTH_PROVIDER, useExisting: CognitoAuthProvider },
          // Cognito's verdict on custom:role comes from DescribeUserPoolClient at start-up.
          { provide: ROLE_CLAIM_POLICY, useExisting: COGNITO_ROLE_CLAIM_POLICY },
        ],
      };
    case 'oidc':
      return { imports: [], providers: [OidcAuthProvider, { provide: AUTH_PROVIDER, useExisting: OidcAuthProvider }, configRoleClaimPolicy] };
    case 'local':
      return {
        imports: [LocalProviderModule],
        providers: [
          { provide: AUTH_PROVIDER, useExisting: LocalAuthProvider },
          { provide: LOCAL_KEY_SOURCE, inject: [LOCAL_SECRETS], useFactory: (s: LocalSecrets): KeySource => s.signingKey },
          configRoleClaimPolicy,
        ],
      };
  }
}

/** Outside Cognito, config decides whether custom:role is trusted (local tokens never carry it). */
const configRoleClaimPolicy: Provider = {
  provide: ROLE_CLAIM_POLICY,
  inject: [APP_CONFIG],
  // The tenant claim: local tokens never carry it, and an OIDC issuer's claims are the issuer's to vouch for.
  useFactory: (config: AppConfig): RoleClaimPolicy => ({ trusted: config.auth.trustRoleClaim && config.auth.provider !== 'cognito', tenantTrusted: config.auth.provider !== 'cognito' }),
};

/** Providers (local, cognito, oidc), the one token verifier, the global guard, the account endpoints and hosted login. */
@Module({})
export class AuthModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  static forRoot(config: AppConfig): DynamicModule {
    const wiring = providerWiring(config);
    return {
      module: AuthModule,
      imports: [
        UsersModule,
        MailModule,
        SessionRevocationModule,
        PassportModule,
        ThrottlerModule.forRoot({
          throttlers: [
            { name: CREDENTIALS_THROTTLER, ttl: 60_000, limit: config.rateLimits.authPerMinute },
            { name: SENSITIVE_ROUTE_THROTTLER, ttl: 60_000, limit: config.rateLimits.authSensitivePerMinute },
          ],
          storage: throttlerStorageFor(config.redisUrl),
        }),
        ...wiring.imports,
      ],
      controllers: [AuthController, HostedLoginController],
      providers: [
        ...wiring.providers,
        {
          provide: TokenVerifier,
          inject: [APP_CONFIG, { token: LOCAL_KEY_SOURCE, optional: true }],
          useFactory: (cfg: AppConfig, localKeys?: KeySource) =>
            new TokenVerifier(
              buildIssuerPolicies(cfg, {
                localKeys,
                log: (msg, detail) => jwksLogger.warn(detail ?? {}, msg),
                minRefetchIntervalMs: cfg.auth.jwksRefetchIntervalS * 1000,
              }),
              { clockSkewS: cfg.auth.clockSkewS },
            ),
        },
        {
          // What providers' validateToken calls: the same two steps as the guard.
          provide: BEARER_TOKEN_VALIDATOR,
          inject: [TokenVerifier, PrincipalResolver],
          useFactory: (verifier: TokenVerifier, resolver: PrincipalResolver): BearerTokenValidator => ({
            validate: async (token) => {
              const verified = await verifier.verify(token);
              assertTokenUse(verified.tokenUse, false);
              return resolver.resolve(verified);
            },
          }),
        },
        PrincipalResolver,
        JwtStrategy,
        OidcClientFactory,
        HostedLoginService,
        AuthService,
        CredentialLimiter,
        CredentialThrottlerGuard,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      // The provider module is re-exported so the admin surface can inject its AUTH_ADMIN_PORT (local, cognito).
      exports: [TokenVerifier, PrincipalResolver, AUTH_PROVIDER, ...wiring.imports],
    };
  }

  constructor(
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_PROVIDER) private readonly provider: AuthProvider,
  ) {}

  /** A provider that reports itself unavailable stops start-up: failing closed beats serving a gate that cannot work. */
  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.provider.isAvailable())) throw new Error(`AUTH_PROVIDER=${this.provider.name} is not available`);
  }

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
