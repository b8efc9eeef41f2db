import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, ConflictError } from '../../../common/errors/app-error';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../../config/config.types';
import { OnboardingService, type UserEntity, UsersService } from '../../../users';
import { ProviderError } from '../provider-errors';
import { COGNITO_CLIENT } from './cognito-client.factory';
import { cognitoErrorName, isCognitoError, mapCognitoError } from './cognito-errors';
import { unverifiedClaims } from './cognito-session';

export const COGNITO_ACTOR = 'provider:cognito';

/** A Cognito user as AdminGetUser reports it. */
export interface CognitoUserFacts {
  /** Cognito username (the sub when email is the username attribute). */
  username: string;
  sub: string;
  /** UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, … */
  status?: string;
  mfa: string[];
}

/** The address another Gatehouse identity holds: one handled answer everywhere (README: errors). */
export function emailInUse(): ConflictError {
  return new ConflictError('EMAIL_IN_USE', 'This email address belongs to another account');
}

/**
 * Cognito identities and their Gatehouse rows, by (issuer, sub) and never by address: an address changes, is freed
 * when a Cognito user is deleted and taken by the next one, or belongs to a user of another issuer. Where only the
 * address is known (confirm-email, reset), the sub comes from AdminGetUser. Also the admin calls that end or
 * restore something for one identity (AdminUserGlobalSignOut, AdminSetUserMFAPreference, AdminDeleteUser).
 */
@Injectable()
export class CognitoIdentities {
  private readonly log = new Logger(CognitoIdentities.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
    private readonly users: UsersService,
    private readonly onboarding: OnboardingService,
  ) {}

  pool(): CognitoConfig {
    const c = this.config.auth.cognito;
    if (!c) throw new ProviderError('PROVIDER_UNAVAILABLE', 'Cognito is not configured');
    return c;
  }

  /** The Cognito user named `username` (an address works: it is the username attribute), or undefined when none. */
  async lookup(username: string): Promise<CognitoUserFacts | undefined> {
    try {
      const out = await this.client.send(new AdminGetUserCommand({ UserPoolId: this.pool().userPoolId, Username: username }));
      const sub = out.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
      if (!sub || !out.Username) throw new ProviderError('PROVIDER_UNAVAILABLE', 'AdminGetUser answered without a sub');
      return { username: out.Username, sub, status: out.UserStatus, mfa: out.UserMFASettingList ?? [] };
    } catch (err) {
      if (isCognitoError(err, 'UserNotFoundException')) return undefined;
      throw mapCognitoError(err, 'other', 'AdminGetUser');
    }
  }

  rowOf(sub: string): Promise<UserEntity | null> {
    return this.users.findByIssuerSubject(this.pool().issuer, sub);
  }

  /**
   * The row of the identity `sub`, carrying `email`: provisioned when missing, its address brought up to date when
   * Cognito reports a verified new one. An address another row holds is 409 EMAIL_IN_USE: no second row without an
   * address, no link by address, no 500 from the unique key.
   */
  async ensureRow(sub: string, email: string, facts: { emailVerified: boolean; fullName: string | null }): Promise<{ user: UserEntity; created: boolean }> {
    const existing = await this.rowOf(sub);
    if (!existing) {
      try {
        return await this.users.provision(
          { issuer: this.pool().issuer, subject: sub, authProvider: 'cognito', email, emailVerified: facts.emailVerified, fullName: facts.fullName, role: 'user', organizationId: null },
          COGNITO_ACTOR,
        );
      } catch (err) {
        if (err instanceof AppError && err.status === 409) throw emailInUse();
        throw err;
      }
    }
    const changed = existing.email?.toLowerCase() !== email.toLowerCase();
    // A row without an address takes the one Cognito reports; a different address is taken only once Cognito says it
    // is verified (an unverified one could be anybody's, and would lock its owner out of registering).
    if (changed && (existing.email === null || facts.emailVerified)) {
      const user = await this.users.updateEmail(existing.id, email, facts.emailVerified, { actor: COGNITO_ACTOR, type: 'profile.synced', detail: { from: 'cognito', field: 'email' } });
      return { user: user ?? existing, created: false };
    }
    return { user: existing, created: false };
  }

  /**
   * Brings the signing-in identity's row up to date from the ID token Cognito just returned to our own call (so its
   * claims are Cognito's): provisioned with the address for users Gatehouse did not sign up (AdminCreateUser, the
   * console), the address followed when it changed, the verification step applied. Throws 409 EMAIL_IN_USE.
   */
  async syncFromIdToken(idToken: string | undefined): Promise<UserEntity | null> {
    const claims = unverifiedClaims(idToken);
    const sub = typeof claims?.sub === 'string' ? claims.sub : undefined;
    const email = typeof claims?.email === 'string' ? claims.email : undefined;
    if (!sub) return null;
    if (!email) return this.rowOf(sub);
    const verified = claims?.email_verified === true || claims?.email_verified === 'true';
    const { user, created } = await this.ensureRow(sub, email, { emailVerified: verified, fullName: typeof claims?.name === 'string' ? claims.name : null });
    if (!created && verified && user.status === 'pending_verification') {
      return (await this.onboarding.tryApply(user.id, 'EMAIL_VERIFIED', COGNITO_ACTOR, { via: 'cognito.id_token' })) ?? user;
    }
    return user;
  }

  /**
   * Ends every Cognito session of the identity (its refresh tokens stop working at Cognito). Best effort and logged:
   * Gatehouse's watermark (set before this is called) already refuses what those sessions mint.
   */
  async signOutEverywhere(username: string, reason: string): Promise<boolean> {
    try {
      await this.client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: this.pool().userPoolId, Username: username }));
      return true;
    } catch (err) {
      if (isCognitoError(err, 'UserNotFoundException')) return true;
      this.log.warn({ reason, err: cognitoErrorName(err) ?? String(err) }, 'AdminUserGlobalSignOut failed: Cognito refresh tokens stay live (Gatehouse refuses what they mint)');
      return false;
    }
  }

  /** Puts TOTP back as the identity's enabled, preferred factor (after it was switched off behind Gatehouse). */
  async restoreTotp(username: string): Promise<boolean> {
    try {
      await this.client.send(
        new AdminSetUserMFAPreferenceCommand({ UserPoolId: this.pool().userPoolId, Username: username, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
      );
      return true;
    } catch (err) {
      this.log.warn({ err: cognitoErrorName(err) ?? String(err) }, 'AdminSetUserMFAPreference failed: the user stays refused until TOTP is back');
      return false;
    }
  }

  async deleteCognitoUser(username: string): Promise<void> {
    try {
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.pool().userPoolId, Username: username }));
    } catch (err) {
      if (!isCognitoError(err, 'UserNotFoundException')) throw mapCognitoError(err, 'other', 'AdminDeleteUser');
    }
  }
}
