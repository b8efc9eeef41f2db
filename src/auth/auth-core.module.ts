import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { UsersModule } from '../users';
import { AccountLadderModule } from './account-ladder';
import { AccountFacts } from './account-facts.service';
import { AccountAdministration } from './admin/account-administration.service';
import { AccountReconciliation } from './admin/account-reconciliation';
import { Authenticator } from './authenticator';
import { PrincipalResolver } from './principal.resolver';
import { SessionRevocationModule } from './sessions/session-revocation.module';
import { UserSessions } from './sessions/user-sessions.service';
import { LoginLockoutReader } from './throttling/login-lockout.reader';
import { buildIssuerPolicies, JWKS_CLOCK } from './tokens/issuer-policies.factory';
import { JwksKeySource } from './tokens/jwks-key-source';
import { KeySource, LOCAL_KEY_SOURCE } from './tokens/key-source';
import { TokenVerifier } from './tokens/token-verifier';

const jwksLogger = new Logger('Jwks');

/**
 * The auth core every entrance imports (the HTTP guard, and the admin, realtime and gateway modules): the one
 * TokenVerifier, the PrincipalResolver, the revoked-sessions list, the one Authenticator, AccountAdministration
 * (the admin use cases over AUTH_ADMIN_PORT) and UserSessions (per-user session lists and revocation). A static module, so
 * Nest builds it once however many modules import it; the provider it works with (AUTH_PROVIDER, ROLE_CLAIM_POLICY,
 * the local keys, AUTH_ADMIN_PORT) is chosen once by AuthModule.forRoot, which registers that choice globally.
 */
@Module({
  imports: [UsersModule, SessionRevocationModule, AccountLadderModule],
  providers: [
    { provide: JWKS_CLOCK, useValue: Date.now },
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG, JWKS_CLOCK, { token: LOCAL_KEY_SOURCE, optional: true }],
      useFactory: (cfg: AppConfig, now: () => number, localKeys?: KeySource) =>
        new TokenVerifier(
          buildIssuerPolicies(cfg, {
            localKeys,
            log: (msg, detail) => jwksLogger.warn(detail ?? {}, msg),
            minRefetchIntervalMs: cfg.auth.jwksRefetchIntervalS * 1000,
            now,
          }),
          { clockSkewS: cfg.auth.clockSkewS },
        ),
    },
    PrincipalResolver,
    Authenticator,
    AccountAdministration,
    UserSessions,
    LoginLockoutReader,
    AccountFacts,
    AccountReconciliation,
  ],
  exports: [TokenVerifier, PrincipalResolver, Authenticator, AccountAdministration, AccountReconciliation, UserSessions, SessionRevocationModule],
})
export class AuthCoreModule implements OnModuleInit, OnApplicationShutdown {
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
