import { Injectable } from '@nestjs/common';
import { AccountLadder } from '../../account-ladder';
import { AdminPortError, type AuthAdminPort, type DirectoryUser, type DirectoryUserDetail } from '../admin-port';

const notSupported = (what: string): Promise<never> => Promise.reject(new AdminPortError('NOT_SUPPORTED', `${what}: the OIDC issuer owns its directory`));

/**
 * The admin port for an external OpenID issuer. Gatehouse cannot reach the issuer's directory, so every
 * directory operation answers NOT_SUPPORTED (501). What remains is Gatehouse's own: disabling, enabling, deleting and
 * signing out act on the Gatehouse row through AccountAdministration (status gate and watermark), so the
 * provider side has nothing to do for them; and a user Gatehouse knows can be described from its row.
 */
@Injectable()
export class OidcAdmin implements AuthAdminPort {
  readonly provider = 'oidc' as const;

  constructor(private readonly ladder: AccountLadder) {}

  async deleteUser(userId: string): Promise<void> {
    await this.find(userId);
  }
  async enableUser(userId: string): Promise<void> {
    await this.find(userId);
  }
  async disableUser(userId: string): Promise<void> {
    await this.find(userId);
  }
  /** The issuer's own sessions are the issuer's; Gatehouse's watermark (the mirror's) refuses the tokens here. */
  async signOutEverywhere(userId: string): Promise<void> {
    await this.find(userId);
  }
  async getUser(userId: string): Promise<DirectoryUser> {
    const user = await this.find(userId);
    return {
      userId: user.id,
      username: user.subject,
      subject: user.subject,
      ...(user.email ? { email: user.email } : {}),
      emailVerified: user.emailVerified,
      enabled: user.status !== 'disabled',
      attributes: { sub: user.subject, ...(user.email ? { email: user.email } : {}) },
    };
  }

  /** The issuer's groups and locks are the issuer's: nothing more to see than getUser. */
  async inspectUser(userId: string): Promise<DirectoryUserDetail> {
    return { ...(await this.getUser(userId)), groups: null, lock: null };
  }

  createUser(): Promise<never> {
    return notSupported('createUser');
  }
  resetPassword(): Promise<never> {
    return notSupported('resetPassword');
  }
  setPassword(): Promise<never> {
    return notSupported('setPassword');
  }
  updateAttributes(): Promise<never> {
    return notSupported('updateAttributes');
  }
  listUsers(): Promise<never> {
    return notSupported('listUsers');
  }
  setMfaPreference(): Promise<never> {
    return notSupported('setMfaPreference');
  }
  requireMfa(): Promise<never> {
    return notSupported('requireMfa');
  }
  addToGroup(): Promise<never> {
    return notSupported('addToGroup');
  }
  removeFromGroup(): Promise<never> {
    return notSupported('removeFromGroup');
  }
  describeDirectory(): Promise<never> {
    return notSupported('describeDirectory');
  }
  describeClient(): Promise<never> {
    return notSupported('describeClient');
  }

  private async find(userId: string) {
    const user = await this.ladder.findUser(userId);
    if (!user || user.authProvider !== 'oidc') throw new AdminPortError('USER_NOT_FOUND', 'no OIDC user with that id');
    return user;
  }
}
