import { DynamicModule, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../config/config.types';
import { MailModule } from '../mail';
import { UsersModule } from '../users';
import { throttlerStorageFor } from '../common/throttling/redis-throttler.storage';
import { AccountFacts } from './account-facts.service';
import { AuthCoreModule } from './auth-core.module';
import { AuthProviderBindingModule } from './auth-provider.binding';
import { AuthController } from './auth.controller';
import { CookieLoginController } from './cookie-login.controller';
import { AuthService } from './auth.service';
import { AuthSessionsController } from './sessions/auth-sessions.controller';
import { AuthGuard } from './guards/auth.guard';
import { HostedLoginController } from './hosted/hosted-login.controller';
import { HostedLoginService } from './hosted/hosted-login.service';
import { OidcClientFactory } from './hosted/oidc-client.factory';
import { JwtStrategy } from './jwt.strategy';
import { AUTH_PROVIDER, type AuthProvider } from './providers/auth-provider';
import { CredentialLimiter } from './throttling/credential-limiter';
import { CREDENTIALS_THROTTLER, CredentialThrottlerGuard, SENSITIVE_ROUTE_THROTTLER } from './throttling/credential-throttler.guard';

/**
 * Imported once, by the app: chooses the provider (AuthProviderBindingModule, global), installs the global guard
 * and serves the account endpoints and hosted login. Everything another module needs to authenticate its own
 * entrance (the verifier, the resolver, the Authenticator) is in AuthCoreModule, which any module may import.
 */
@Module({})
export class AuthModule implements OnApplicationBootstrap {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        AuthProviderBindingModule.forRoot(config),
        AuthCoreModule,
        UsersModule,
        MailModule,
        PassportModule,
        ThrottlerModule.forRoot({
          throttlers: [
            { name: CREDENTIALS_THROTTLER, ttl: 60_000, limit: config.rateLimits.authPerMinute },
            { name: SENSITIVE_ROUTE_THROTTLER, ttl: 60_000, limit: config.rateLimits.authSensitivePerMinute },
          ],
          storage: throttlerStorageFor(config.redisUrl),
        }),
      ],
      controllers: [AuthController, AuthSessionsController, CookieLoginController, HostedLoginController],
      providers: [
        JwtStrategy,
        OidcClientFactory,
        HostedLoginService,
        AuthService,
        AccountFacts,
        CredentialLimiter,
        CredentialThrottlerGuard,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AuthCoreModule],
    };
  }

  constructor(@Inject(AUTH_PROVIDER) private readonly provider: AuthProvider) {}

  /** A provider that reports itself unavailable stops start-up: failing closed beats serving a gate that cannot work. */
  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.provider.isAvailable())) throw new Error(`AUTH_PROVIDER=${this.provider.name} is not available`);
  }
}
