import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { UsersService } from '../../../users';
import type { AccountCaller, AuthProvider } from '../auth-provider';

/**
 * An external OpenID issuer (a partner's SSO). Its users sign in at the issuer (hosted login or the partner's own
 * app); Gatehouse only validates the tokens. Passwords, codes and second factors belong to the issuer, so this
 * provider offers neither capability (AuthService answers 501 NOT_SUPPORTED for them, in one place). Sign-out still
 * works: it is Gatehouse's own revocation watermark.
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
}
