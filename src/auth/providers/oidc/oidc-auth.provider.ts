import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { UsersService } from '../../../users/users.service';
import type { AccountCaller, AuthProvider, AuthResult, MfaEnrollment, TokenSet } from '../auth-provider';
import { ProviderError } from '../provider-errors';

/**
 * An external OpenID issuer (a partner's SSO). Its users sign in at the issuer (hosted login or the partner's own
 * app); Gatehouse only validates the tokens. Passwords, codes and second factors belong to the issuer, so those
 * operations answer NOT_SUPPORTED (501) with a stable code instead of pretending. Sign-out still works: it is
 * Gatehouse's own revocation watermark.
 */
@Injectable()
export class OidcAuthProvider implements AuthProvider {
  readonly name = 'oidc' as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  isAvailable(): Promise<boolean> {
    return Promise.resolve(Boolean(this.config.auth.oidc?.issuer && this.config.auth.oidc.audience));
  }

  async signOut(caller: AccountCaller): Promise<void> {
    await this.users.revokeTokens(caller.principal.userId, `user:${caller.principal.userId}`, 'sign_out');
  }

  authenticate(): Promise<AuthResult> {
    return this.unsupported('sign-in happens at the issuer (GET /api/v1/auth/hosted/login)');
  }
  register(): Promise<void> {
    return this.unsupported('accounts are created at the issuer');
  }
  refreshToken(): Promise<TokenSet> {
    return this.unsupported('refresh at the issuer');
  }
  confirmEmail(): Promise<void> {
    return this.unsupported('email verification happens at the issuer');
  }
  resendVerification(): Promise<void> {
    return this.unsupported('email verification happens at the issuer');
  }
  respondToMfaChallenge(): Promise<AuthResult> {
    return this.unsupported('second factors are the issuer’s');
  }
  startMfaEnrollment(): Promise<MfaEnrollment> {
    return this.unsupported('second factors are the issuer’s');
  }
  verifyMfaEnrollment(): Promise<{ recoveryCodes?: string[] }> {
    return this.unsupported('second factors are the issuer’s');
  }
  disableMfa(): Promise<void> {
    return this.unsupported('second factors are the issuer’s');
  }
  requestPasswordReset(): Promise<void> {
    return this.unsupported('passwords are the issuer’s');
  }
  confirmPasswordReset(): Promise<void> {
    return this.unsupported('passwords are the issuer’s');
  }

  private unsupported(detail: string): Promise<never> {
    return Promise.reject(new ProviderError('NOT_SUPPORTED', detail));
  }
}
