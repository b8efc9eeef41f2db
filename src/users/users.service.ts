import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { ConflictError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { initialStatus } from './onboarding/transitions';
import type { AuditActor, AuditEventType } from './audit-event';
import { NewUser, type NewUserEvent, UsersRepository } from './users.repository';
import { UserCache } from './user-cache';
import { UserEntity } from './user.entity';

/** The users module's public API for other modules (auth, admin, webhooks). */
@Injectable()
export class UsersService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly cache: UserCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Hot path (every authenticated request): served from memory, kept fresh by the change feed. */
  findCachedByIssuerSubject(issuer: string, subject: string): Promise<UserEntity | null> {
    return this.cache.byIdentity(issuer, subject, () => this.repo.findByIssuerSubject(issuer, subject));
  }

  /** Synchronous cache look-up only (undefined on a miss): lets the auth guard answer without an await. */
  peekCachedByIssuerSubject(issuer: string, subject: string): UserEntity | undefined {
    return this.cache.peekIdentity(issuer, subject);
  }

  /** The user cache's generation (see UserCache.generation): lets callers keep what they built from cached rows. */
  cacheGeneration(): number {
    return this.cache.generation;
  }

  /** Synchronous cache look-up by id only (undefined on a miss): lets a handler answer without an await. */
  peekCachedById(id: string): UserEntity | undefined {
    return this.cache.peekId(id);
  }

  findCachedById(id: string): Promise<UserEntity | null> {
    return this.cache.byIdOrLoad(id, () => this.repo.findById(id));
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findById(id);
  }

  findByIssuerSubject(issuer: string, subject: string): Promise<UserEntity | null> {
    return this.repo.findByIssuerSubject(issuer, subject);
  }

  findByEmail(email: string, provider?: NewUser['authProvider']): Promise<UserEntity | null> {
    return this.repo.findByEmail(email, provider);
  }

  /**
   * Just-in-time provisioning: exactly one row per (issuer, subject), whatever the concurrency. An email already
   * owned by another identity is a 409, never a silent link: linking accounts by email alone lets whoever controls
   * an address at one issuer take over the account at another. The status is derived (a verified address has passed
   * the first rung; steps switched off are passed over).
   */
  async provision(user: NewUser, actor: AuditActor = 'system', tx?: EntityManager): Promise<{ user: UserEntity; created: boolean }> {
    try {
      return await this.repo.insertIfAbsent({ ...user, status: initialStatus(user.emailVerified, this.config.onboarding) }, actor, tx);
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505') {
        throw new ConflictError('EMAIL_IN_USE', 'This email address belongs to another account');
      }
      throw err;
    }
  }

  /** One transaction spanning this module's rows and the caller's (e.g. a local user and their credentials). */
  inTransaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.repo.inTransaction(fn);
  }

  /** Sets the revocation watermark (every token issued before now is refused); `tx` joins the caller's transaction. */
  revokeTokens(userId: string, actor: AuditActor, reason: string, tx?: EntityManager): Promise<Date | null> {
    return this.repo.revokeTokens(userId, actor, reason, tx);
  }

  updateProfile(...args: Parameters<UsersRepository['updateProfile']>): Promise<UserEntity | null> {
    return this.repo.updateProfile(...args);
  }

  /**
   * Sets the address of a user whose identity provider reports a new one. An address another row holds is a 409
   * EMAIL_IN_USE (never a 500 from the unique key, never a silent link: see `provision`).
   */
  async updateEmail(userId: string, email: string, emailVerified: boolean, event: Parameters<UsersRepository['updateProfile']>[2]): Promise<UserEntity | null> {
    try {
      return await this.repo.updateProfile(userId, { email, emailVerified }, event);
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505') {
        throw new ConflictError('EMAIL_IN_USE', 'This email address belongs to another account');
      }
      throw err;
    }
  }

  /** See UsersRepository.claimIfCurrent: the admin API's atomic `If-Match`. */
  claimIfCurrent(userId: string, current: (row: UserEntity) => boolean): ReturnType<UsersRepository['claimIfCurrent']> {
    return this.repo.claimIfCurrent(userId, current);
  }

  releaseClaim(userId: string, claimed: number): Promise<void> {
    return this.repo.releaseClaim(userId, claimed);
  }

  /** Deletes the user after recording why (the audit trail stays); false when there was no such user. */
  deleteUser(...args: Parameters<UsersRepository['deleteUser']>): Promise<boolean> {
    return this.repo.deleteUser(...args);
  }

  /** An audit row alone, from the closed vocabulary (./audit-event.ts). */
  recordEvent(event: NewUserEvent & { actor: AuditActor; type: AuditEventType }, tx?: EntityManager): Promise<void> {
    return this.repo.recordEvent(event, tx);
  }

  countByProvider(authProvider: NewUser['authProvider']): Promise<number> {
    return this.repo.countByProvider(authProvider);
  }

  eventsFor(userId: string): ReturnType<UsersRepository['eventsFor']> {
    return this.repo.eventsFor(userId);
  }
}
