import { CognitoIdentityProviderClient, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeferredWork } from '../../../common/deferred/deferred-work';
import { AppError } from '../../../common/errors/app-error';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { MAILER, type Mailer } from '../../../mail';
import { UsersService } from '../../../users';
import { CredentialLimiter, MAIL_BUDGET } from '../../throttling/credential-limiter';
import { mailFor } from '../local/mail-templates';
import { COGNITO_CLIENT, secretHashField } from './cognito-client.factory';
import { isCognitoError, mapCognitoError } from './cognito-errors';
import { COGNITO_ACTOR, CognitoIdentities } from './cognito-identities';

export interface Registration {
  email: string;
  password: string;
  fullName?: string;
}

/**
 * Sign-up through Cognito. `register` answers as soon as the input passed the checks that do not depend on the
 * address (#20.6: a new address cost two Cognito/database round trips more than a known one, which told them apart);
 * the per-account work runs after the answer, here:
 * - a new address: SignUp, then the Gatehouse row;
 * - an address whose Cognito user is UNCONFIRMED (#20.2, pre-registration hijack): that user is deleted and signed up
 *   again with this registrant's password, so only whoever proves the mailbox (with the code Cognito now mails) sets
 *   the password; the unconfirmed row goes with it;
 * - a confirmed address: the owner is mailed that someone tried to sign up (within the silent mail budget).
 */
@Injectable()
export class CognitoRegistration {
  private readonly log = new Logger(CognitoRegistration.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COGNITO_CLIENT) private readonly client: CognitoIdentityProviderClient,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly identities: CognitoIdentities,
    private readonly users: UsersService,
    private readonly limiter: CredentialLimiter,
    private readonly deferred: DeferredWork,
  ) {}

  /** Starts the per-account work and returns at once; failures are logged (the answer was the same 202 anyway). */
  start(input: Registration, requestId?: string): void {
    this.deferred.run('registration', requestId, () => this.run(input));
  }

  /** Resolves once every registration started so far has finished (tests). */
  whenIdle(): Promise<void> {
    return this.deferred.settled();
  }

  private async run(input: Registration): Promise<void> {
    const created = await this.signUp(input);
    if (created) return this.provision(created, input);
    const existing = await this.identities.lookup(input.email);
    if (!existing) {
      // Deleted between the two calls: sign up as new.
      const again = await this.signUp(input);
      if (again) await this.provision(again, input);
      return;
    }
    if (existing.status === 'UNCONFIRMED') {
      await this.identities.deleteCognitoUser(existing.username);
      const stale = await this.identities.rowOf(existing.sub);
      if (stale && stale.status === 'pending_verification') {
        await this.users.deleteUser(stale.id, { actor: COGNITO_ACTOR, type: 'user.deleted', detail: { reason: 'unconfirmed_registration_replaced' } });
      }
      const replaced = await this.signUp(input);
      if (replaced) await this.provision(replaced, input);
      return;
    }
    if ((await this.limiter.hit({ name: 'mail-register-exists', ...MAIL_BUDGET }, input.email.toLowerCase())) > 0) return;
    await this.mailer.send(mailFor.accountExists(this.config, input.email));
  }

  /** The new user's sub, or undefined when the username exists. */
  private async signUp(input: Registration): Promise<string | undefined> {
    const c = this.identities.pool();
    const attributes = [{ Name: 'email', Value: input.email }, ...(input.fullName ? [{ Name: 'name', Value: input.fullName }] : [])];
    try {
      const out = await this.client.send(
        new SignUpCommand({ ClientId: c.clientId, Username: input.email, Password: input.password, UserAttributes: attributes, ...secretHashField(c, input.email) }),
      );
      return out.UserSub as string;
    } catch (err) {
      if (isCognitoError(err, 'UsernameExistsException')) return undefined;
      throw mapCognitoError(err, 'other', 'SignUp');
    }
  }

  private async provision(sub: string, input: Registration): Promise<void> {
    try {
      await this.identities.ensureRow(sub, input.email, { emailVerified: false, fullName: input.fullName ?? null });
    } catch (err) {
      // The address belongs to another Gatehouse identity: confirm-email and login answer 409 EMAIL_IN_USE for it.
      if (err instanceof AppError && err.code === 'EMAIL_IN_USE') {
        this.log.warn({ sub }, 'cognito sign-up for an address owned by another Gatehouse identity');
        return;
      }
      throw err;
    }
  }
}
