import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeferredWork } from '../../../common/deferred/deferred-work';
import { AppError } from '../../../common/errors/app-error';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { MAILER, type Mailer } from '../../../mail';
import { type UserEntity, UsersService } from '../../../users';
import { blockedSignInAudit, signInRefusal } from '../../account-rules';
import type { AccountCaller, EmailVerified, RequestContext } from '../auth-provider';
import { ProviderError } from '../provider-errors';
import { LOCAL_USER_ISSUER } from '../../tokens/key-source';
import { CodePurpose, LocalAuthRepository } from './local-auth.repository';
import { passwordPolicyViolation } from './local-directory';
import { LOCAL_ACTOR, LOCAL_LIMITS } from './local-limits';
import { LOCAL_SECRETS, LocalSecrets } from './local-secrets';
import { PasswordHasher } from './password-hasher';
import { SecretBox } from './secret-box';
import type { OutgoingMail } from './mail-templates';

/**
 * An unverified local account (nobody proved the mailbox) lives this long after its creation; after that it is treated
 * as absent (codes stop working, resend and reset send nothing) and a new registration of the address replaces it.
 */
export const UNVERIFIED_ACCOUNT_TTL_S = 7 * 24 * 3600;
/** Attempts at mailed codes of one purpose per account in 24 hours, across codes (each code also allows only five). */
export const CODE_ATTEMPTS_PER_DAY = 20;
/** Matches no user: the unknown-address path runs the same queries as the known one against it. */
const NO_USER = '00000000-0000-0000-0000-000000000000';

/** True for a self-registration nobody verified within UNVERIFIED_ACCOUNT_TTL_S. */
export function registrationExpired(user: Pick<UserEntity, 'status' | 'emailVerified' | 'createdAt'>, now = Date.now()): boolean {
  return user.status === 'pending_verification' && !user.emailVerified && now - user.createdAt.getTime() > UNVERIFIED_ACCOUNT_TTL_S * 1000;
}

/**
 * What every local flow shares: finding the account, the password policy, mailed codes, the verified flag, mail
 * sending and the blocked-user rule. The flows (registration, sign-in, factors, sessions, recovery) each take this one
 * collaborator instead of re-deriving the same rules.
 */
@Injectable()
export class LocalAccounts {
  private readonly log = new Logger('LocalAuthProvider');
  readonly hasher: PasswordHasher;
  readonly box: SecretBox;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOCAL_SECRETS) secrets: LocalSecrets,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly repo: LocalAuthRepository,
    private readonly users: UsersService,
    private readonly deferred: DeferredWork,
  ) {
    this.hasher = secrets.hasher;
    this.box = new SecretBox(secrets.dataKey);
  }

  async localUser(email: string): Promise<UserEntity | null> {
    const user = await this.users.findByEmail(email, 'local');
    return user && user.issuer === LOCAL_USER_ISSUER && !registrationExpired(user) ? user : null;
  }

  async callerUser(caller: AccountCaller): Promise<UserEntity> {
    const user = await this.users.findById(caller.principal.userId);
    if (!user || user.authProvider !== 'local') throw new ProviderError('NOT_SUPPORTED', 'not a local account');
    return user;
  }

  /**
   * Gatehouse's blocked-account rule (account-rules.ts), where sign-in first knows the user. The password was right,
   * so nothing before this audited the attempt: `login.failed` (reason: the status), after the answer.
   */
  refuseBlocked(user: UserEntity, ctx: RequestContext): void {
    const refusal = signInRefusal(user);
    if (!refusal) return;
    this.detach('login-failed-audit', ctx, () => this.users.recordEvent({ ...blockedSignInAudit(user, refusal), actor: LOCAL_ACTOR }));
    throw refusal;
  }

  /** The one password policy (shared with LocalAdmin), answered as PASSWORD_POLICY with the limits for the client. */
  checkPasswordPolicy(password: string, email: string): void {
    const min = this.config.auth.local.passwordMinLength;
    const violation = passwordPolicyViolation(password, email, min, LOCAL_LIMITS.maxPasswordLength);
    if (violation) throw new ProviderError('PASSWORD_POLICY', violation, { minLength: min, maxLength: LOCAL_LIMITS.maxPasswordLength });
  }

  codeHash(purpose: CodePurpose, code: string): string {
    return this.box.mac(purpose, code);
  }

  /**
   * Checks a mailed code (one attempt counted, within the per-code and per-day budgets) and returns its id; the caller
   * spends it with the change it guards. `user` null (unknown address) runs the same query and MAC, then fails alike.
   */
  async checkCode(user: UserEntity | null, purpose: CodePurpose, email: string, code: string): Promise<string> {
    const stored = await this.repo.takeCodeAttemptWithinDay(user?.id ?? NO_USER, purpose, email, LOCAL_LIMITS.codeAttempts, CODE_ATTEMPTS_PER_DAY);
    const given = this.codeHash(purpose, code.trim());
    if (!user) throw new ProviderError('CODE_INVALID', 'no local user for this address');
    if (!stored) throw new ProviderError('CODE_INVALID', 'no live code, or attempts spent (per code or per day)');
    if (!SecretBox.equal(stored.codeHash, given)) throw new ProviderError('CODE_INVALID', `wrong code (attempt ${stored.attempts})`);
    // Only a caller who knows the code learns that it expired.
    if (stored.expired) throw new ProviderError('CODE_EXPIRED');
    if (stored.used) throw new ProviderError('CODE_INVALID', 'code already used');
    return stored.id;
  }

  async spendCode(user: UserEntity | null, purpose: CodePurpose, email: string, code: string): Promise<void> {
    const id = await this.checkCode(user, purpose, email, code);
    if (!(await this.repo.useCode(id))) throw new ProviderError('CODE_INVALID', 'code used concurrently');
  }

  /**
   * The mailbox is proved now: nothing set up before by someone who had not proved it survives (pre-account takeover).
   * Returns the fact; Gatehouse's ladder move and flag are AuthService's (AccountFacts).
   */
  async mailboxProved(user: UserEntity, via: string): Promise<EmailVerified> {
    if (user.status === 'pending_verification') await this.users.inTransaction((tx) => this.repo.wipeUnprovenAccess(tx, user.id));
    return { userId: user.id, verified: true, via };
  }

  /**
   * Mail goes out after the answer is decided and is not awaited, so a known address does not answer slower than an
   * unknown one (enumeration by timing). A failed send is logged with the kind of mail, the user id and the relay's
   * cause; never the subject, body, code or link (logs are read by more people than mailboxes are).
   */
  send(user: UserEntity, mail: OutgoingMail, ctx: RequestContext): void {
    const { kind, ...message } = mail;
    this.mailer.send(message).catch((err: unknown) => {
      const cause = err instanceof AppError ? err.detail : err instanceof Error ? err.message : String(err);
      this.log.error({ userId: user.id, kind, requestId: ctx.requestId, cause: cause?.slice(0, 300) }, `${kind} mail not sent`);
    });
  }

  /** Runs per-account work (codes, audit rows, mail) after the answer: see DeferredWork. */
  detach(what: string, ctx: RequestContext, work: () => Promise<void>): void {
    this.deferred.run(what, ctx.requestId, work);
  }
}
