import { Inject, Injectable } from '@nestjs/common';
import { AccountAdministration, type ActionResult, type AdminActor, AdminPortError } from '../../auth';
import { AppError, BadRequestError } from '../../common/errors/app-error';
import { textProblem } from '../../common/text';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig, Role } from '../../config/config.types';
import { type OnboardingSteps, UserQueries, type UserEntity, UsersService } from '../../users';
import { SuspensionExpiry } from '../suspensions/suspension-expiry';
import { decodeCursor, DEFAULT_LIMIT, DEFAULT_SORT, encodeCursor, parseSort } from './admin-paging';
import { type AdminUserDetail, type AdminUserSummary, detailOf, etagOf, type ProviderView, providerViewOf, summaryOf } from './admin-user.view';
import type { ApprovalsQuery, CreateUserDto, ListUsersQuery, UpdateUserDto } from './admin-users.dto';

export interface UserListPage {
  items: AdminUserSummary[];
  total: number;
  nextCursor: string | null;
}

export interface ApprovalsPage {
  items: Array<AdminUserSummary & { waitingSince: string; waitingSeconds: number }>;
  nextCursor: string | null;
}

/** A user as the admin API answers it, with the ETag its `If-Match` checks against. */
export interface Tagged<T> {
  etag: string;
  body: T;
}

const MAX_ATTRIBUTES = 20;
const MAX_ATTRIBUTE_LENGTH = 2048;

/**
 * The admin API's reads (search, one user, the approvals queue) and its writes, each guarded by `If-Match` and handed
 * to AccountAdministration (provider port first, then the ladder mirror and the audit row). Answers are built by the
 * view mappers field by field, so nothing secret can reach them.
 */
@Injectable()
export class AdminUsersService {
  private readonly steps: OnboardingSteps;

  constructor(
    private readonly accounts: AccountAdministration,
    private readonly users: UsersService,
    private readonly queries: UserQueries,
    private readonly expiry: SuspensionExpiry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.steps = config.onboarding;
  }

  async list(q: ListUsersQuery): Promise<UserListPage> {
    const order = q.sort ?? DEFAULT_SORT;
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor === undefined ? undefined : decodeCursor(order, q.cursor);
    if (q.createdFrom && q.createdTo && q.createdFrom > q.createdTo) throw new BadRequestError('INVALID_INPUT', 'createdFrom is after createdTo');
    const filters = { q: q.q, status: q.status, provider: q.provider, role: q.role, mfa: q.mfa, createdFrom: q.createdFrom, createdTo: q.createdTo };
    // One more than asked says whether another page exists.
    const { users, total } = await this.queries.search(filters, parseSort(order), limit + 1, after);
    const page = users.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((u) => summaryOf(u, this.steps)),
      total,
      nextCursor: users.length > limit && last ? encodeCursor(order, { key: last.sortKey, id: last.id }) : null,
    };
  }

  async approvals(q: ApprovalsQuery, now = new Date()): Promise<ApprovalsPage> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor === undefined ? undefined : decodeCursor('approvals', q.cursor);
    const entries = await this.queries.approvalQueue(limit + 1, after);
    const page = entries.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((e) => ({
        ...summaryOf(e.user, this.steps),
        waitingSince: e.waitingSince.toISOString(),
        waitingSeconds: Math.max(0, Math.floor((now.getTime() - e.waitingSince.getTime()) / 1000)),
      })),
      nextCursor: entries.length > limit && last ? encodeCursor('approvals', { key: last.waitingKey, id: last.user.id }) : null,
    };
  }

  /** One user in full, the provider's view included; a timed suspension that is over is lifted first. */
  async detail(userId: string, now = new Date()): Promise<Tagged<AdminUserDetail>> {
    let user = await this.load(userId);
    if (await this.expiry.liftIfDue(user, now)) user = await this.load(userId);
    const provider = await this.providerView(user);
    return { etag: etagOf(user), body: detailOf(user, this.steps, provider) };
  }

  async create(dto: CreateUserDto, actor: AdminActor): Promise<Tagged<AdminUserDetail>> {
    const created = await this.accounts.createUser(
      {
        email: dto.email,
        ...(dto.temporaryPassword !== undefined ? { temporaryPassword: dto.temporaryPassword } : {}),
        ...(dto.name !== undefined ? { attributes: { name: dto.name } } : {}),
        emailVerified: dto.emailVerified === true,
        suppressInvite: dto.sendInvite === false,
      },
      actor,
    );
    return this.detail(created.userId);
  }

  approve = this.action((id, actor) => this.accounts.approve(id, actor));
  reactivate = this.action((id, actor) => this.accounts.reactivate(id, actor));
  enable = this.action(async (id, actor) => changed(await this.accounts.enable(id, actor)));

  /** Also says what the user meets at the next sign-in: a challenge (enrolled), or enrolment first (not enrolled). */
  requireMfa(id: string, actor: AdminActor, ifMatch?: string): Promise<ActionAnswer<{ mfa: MfaRequirement }>> {
    return this.act(id, actor, ifMatch, async () => {
      const { changed: didChange, enrolled, challenged } = await this.accounts.requireMfa(id, actor);
      return { changed: didChange, mfa: { required: true, enrolled, challenged, next: challenged ? 'challenge' : 'enrol' } };
    });
  }
  resetPassword = this.action(async (id, actor) => changed(await this.accounts.resetPassword(id, actor)));

  reject(id: string, reason: string, actor: AdminActor, ifMatch?: string): Promise<ActionAnswer> {
    return this.act(id, actor, ifMatch, () => this.accounts.reject(id, reason, actor));
  }

  suspend(id: string, opts: { reason: string; until?: Date }, actor: AdminActor, ifMatch?: string, now = new Date()): Promise<ActionAnswer> {
    if (opts.until && opts.until <= now) throw new BadRequestError('INVALID_INPUT', 'until must be in the future');
    return this.act(id, actor, ifMatch, () => this.accounts.suspend(id, opts, actor));
  }

  disable(id: string, reason: string, actor: AdminActor, ifMatch?: string): Promise<ActionAnswer> {
    return this.act(id, actor, ifMatch, async () => changed(await this.accounts.disable(id, actor, reason)));
  }

  setPassword(id: string, password: string, permanent: boolean, actor: AdminActor, ifMatch?: string): Promise<ActionAnswer> {
    return this.act(id, actor, ifMatch, async () => changed(await this.accounts.setPassword(id, password, permanent, actor)));
  }

  setRole(id: string, role: Role, actor: AdminActor, ifMatch?: string): Promise<ActionAnswer> {
    return this.act(id, actor, ifMatch, () => this.accounts.setRole(id, role, actor));
  }

  update(id: string, dto: UpdateUserDto, actor: AdminActor, ifMatch?: string): Promise<ActionAnswer> {
    const attributes = { ...checkedAttributes(dto.attributes ?? {}), ...(dto.name !== undefined ? { name: dto.name } : {}) };
    if (Object.keys(attributes).length === 0) throw new BadRequestError('INVALID_INPUT', 'nothing to change: give name or attributes');
    return this.act(id, actor, ifMatch, async () => changed(await this.accounts.updateAttributes(id, attributes, actor)));
  }

  async delete(id: string, reason: string, actor: AdminActor, ifMatch?: string): Promise<void> {
    await this.claimed(id, ifMatch, () => this.accounts.delete(id, actor, reason));
  }

  /**
   * Runs an action under its `If-Match` claim and answers the user as it is afterwards. A refused action gives the
   * claim back (its ETag stays good); a successful one keeps it, so the same ETag never serves two actions.
   */
  private async act<T extends object = object>(id: string, actor: AdminActor, ifMatch: string | undefined, run: () => Promise<ActionResult & T>): Promise<ActionAnswer<T>> {
    const { changed: didChange, ...extra } = await this.claimed(id, ifMatch, run);
    const after = await this.detail(id);
    return { etag: after.etag, body: { changed: didChange, ...(extra as T), user: after.body } };
  }

  private action(run: (id: string, actor: AdminActor) => Promise<ActionResult>) {
    return (id: string, actor: AdminActor, ifMatch?: string): Promise<ActionAnswer> => this.act(id, actor, ifMatch, () => run(id, actor));
  }

  /**
   * `If-Match` (optional), decided atomically with the action: the ETag is compared under the user's row lock and the
   * row's version is bumped in the same transaction (UsersService.claimIfCurrent). Two administrators holding the same
   * ETag cannot both act: the second compares against the bumped version and gets 412, whatever the timing. A check
   * and a separate action (the old way) let both pass when they raced. Without `If-Match` there is nothing to claim.
   */
  private async claimed<R>(id: string, ifMatch: string | undefined, run: () => Promise<R>): Promise<R> {
    if (ifMatch === undefined) return run();
    const offered = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    const claim = await this.users.claimIfCurrent(id, (row) => offered.includes('*') || offered.includes(etagOf(row)));
    if (claim === 'missing') throw new AdminPortError('USER_NOT_FOUND', `no user ${id}`);
    if (claim === 'stale') throw new AppError('PRECONDITION_FAILED', 412, 'The user changed since it was read: reload and try again');
    try {
      return await run();
    } catch (err) {
      await this.users.releaseClaim(id, claim.claimed);
      throw err;
    }
  }

  private async load(userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw new AdminPortError('USER_NOT_FOUND', `no user ${userId}`);
    return user;
  }

  /** The provider's answer, or its error code: a provider outage must not hide Gatehouse's own record. */
  private async providerView(user: UserEntity): Promise<ProviderView> {
    if (user.authProvider !== this.accounts.port.provider) return { available: false, code: 'NOT_SUPPORTED' };
    try {
      return providerViewOf(await this.accounts.inspect(user.id));
    } catch (err) {
      return { available: false, code: err instanceof AppError ? err.code : 'PROVIDER_UNAVAILABLE' };
    }
  }
}

export type ActionAnswer<T extends object = object> = Tagged<{ changed: boolean; user: AdminUserDetail } & T>;

/** What require-mfa leads to: `challenge` at the next sign-in, or `enrol` (no authenticator yet, held at enrolment). */
export interface MfaRequirement {
  required: true;
  enrolled: boolean;
  challenged: boolean;
  next: 'challenge' | 'enrol';
}

const changed = (_: unknown): ActionResult => ({ changed: true });

/** Attribute names and values are provider input: plain, bounded strings only (the provider checks which names). */
function checkedAttributes(attributes: Record<string, unknown>): Record<string, string> {
  const entries = Object.entries(attributes);
  if (entries.length > MAX_ATTRIBUTES) throw new BadRequestError('INVALID_INPUT', `at most ${MAX_ATTRIBUTES} attributes`);
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || name.length > 100 || value.length > MAX_ATTRIBUTE_LENGTH || textProblem(name) || textProblem(value)) {
      throw new BadRequestError('INVALID_INPUT', 'attributes must be plain strings');
    }
  }
  return attributes as Record<string, string>;
}
