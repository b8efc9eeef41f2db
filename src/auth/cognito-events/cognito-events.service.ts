import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, ServiceUnavailableError, ValidationFailedError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig, CognitoConfig } from '../../config/config.types';
import { AccountMirror, type UserEntity, UsersService } from '../../users';
import type { DirectoryUser } from '../providers/admin-port';
import { CognitoAdmin } from '../providers/cognito/cognito-admin.service';
import { roleFor } from '../tokens/role-mapping';
import { parseCloudTrailEvent, REVOKING_EVENTS, type CognitoOperatorEvent } from './cloudtrail-event';

const ACTOR = 'cognito:console';

export interface EventOutcome {
  status: 'mirrored' | 'ignored';
}

/**
 * Mirrors a change made to a Cognito user outside Gatehouse (the AWS console, the CLI, another tool), reported by a
 * CloudTrail event. The event only says whom to look at: the user's state is re-read from Cognito (AdminGetUser,
 * AdminListGroupsForUser) and applied through the same AccountMirror as Gatehouse's own admin actions, so a stale,
 * replayed or invented event can never disable, promote or delete anyone Cognito does not show that way.
 */
@Injectable()
export class CognitoEventsService {
  private readonly log = new Logger(CognitoEventsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly admin: CognitoAdmin,
    private readonly users: UsersService,
    private readonly mirror: AccountMirror,
  ) {}

  async handle(body: unknown): Promise<EventOutcome> {
    const pool = this.config.auth.cognito as CognitoConfig;
    const parsed = parseCloudTrailEvent(body, pool.userPoolId);
    if (parsed.kind === 'invalid') throw new ValidationFailedError({ body: [parsed.reason] });
    if (parsed.kind === 'ignored') {
      this.log.log({ reason: parsed.reason }, 'cognito event ignored');
      return { status: 'ignored' };
    }
    const e = parsed.event;
    const current = await this.unavailableOnFailure(() => this.admin.lookupByUsername(e.username));
    if (!current) return this.gone(pool, e);
    const row = current.subject ? await this.users.findByIssuerSubject(pool.issuer, current.subject) : null;
    if (!row) return { status: 'ignored' }; // never signed in through Gatehouse: nothing to mirror
    await this.reconcile(row, current, e);
    return { status: 'mirrored' };
  }

  /** Applies Cognito's current state to the row: enabled flag, group-derived role, and revocation where due. */
  private async reconcile(row: UserEntity, user: DirectoryUser, e: CognitoOperatorEvent): Promise<void> {
    const detail = { via: 'cloudtrail', event: e.eventName };
    if (user.enabled === false) await this.mirror.disable(row.id, ACTOR, detail);
    else if (user.enabled === true && row.status === 'disabled') await this.mirror.enable(row.id, ACTOR, detail);

    const groups = await this.unavailableOnFailure(() => this.admin.groupsOf(e.username));
    const map = this.config.auth.roleGroupMap;
    const role = roleFor(groups, map);
    // The removed group's role is what live tokens may still carry; it only ever leads to revoking, never to granting.
    const removed = e.eventName === 'AdminRemoveUserFromGroup' && e.groupName && Object.hasOwn(map, e.groupName) ? map[e.groupName] : undefined;
    await this.mirror.setRole(row.id, role, ACTOR, `cognito.${e.eventName}`, detail, removed);

    if (REVOKING_EVENTS.includes(e.eventName)) await this.mirror.revoke(row.id, ACTOR, `cognito ${e.eventName}`);
  }

  /** EventBridge retries a 5xx (with its retry policy and dead-letter queue): nothing is lost while Cognito is away. */
  private async unavailableOnFailure<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new ServiceUnavailableError('PROVIDER_UNAVAILABLE', 'The identity provider is unavailable', err instanceof AppError ? err.detail : String(err));
    }
  }

  /** Cognito no longer has the user: the row goes as with Gatehouse's own delete (the audit row stays). */
  private async gone(pool: CognitoConfig, e: CognitoOperatorEvent): Promise<EventOutcome> {
    // With email as the username attribute the event names the user by address or by sub.
    const row = e.username.includes('@')
      ? await this.users.findByEmail(e.username.toLowerCase(), 'cognito')
      : await this.users.findByIssuerSubject(pool.issuer, e.username);
    if (!row || row.issuer !== pool.issuer) return { status: 'ignored' };
    await this.mirror.remove(row.id, ACTOR, 'cognito.user_deleted', { subject: row.subject, event: e.eventName });
    return { status: 'mirrored' };
  }
}
