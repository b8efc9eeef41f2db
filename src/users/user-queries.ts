import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { UserAuthProvider, UserStatus } from '../common/user-status';
import { ConflictError } from '../common/errors/app-error';
import type { Role } from '../config/config.types';
import { UserEntity } from './user.entity';

/** The list filters of the admin API; every one combines with every other. */
export interface UserFilters {
  /** Matches the address or the name (anywhere, case-insensitively) or the start of the id. */
  q?: string;
  status?: UserStatus;
  provider?: UserAuthProvider;
  role?: Role;
  /** true: a second factor is enrolled; false: none. */
  mfa?: boolean;
  createdFrom?: Date;
  createdTo?: Date;
}

export type SortKey = 'createdAt' | 'email';
export type SortDir = 'asc' | 'desc';
/** Where the previous page ended: the sort key's value (as Postgres text, so no precision is lost) and the id. */
export interface KeysetPosition {
  key: string;
  id: string;
}

export interface UserPage {
  users: Array<UserEntity & { sortKey: string }>;
  total: number;
}

export interface QueueEntry {
  user: UserEntity;
  waitingSince: Date;
  waitingKey: string;
}

/** The sort expressions: never built from input, only chosen from this table. */
const SORT_SQL: Record<SortKey, { expr: string; cast: string }> = {
  createdAt: { expr: 'u.created_at', cast: 'timestamptz' },
  email: { expr: "lower(COALESCE(u.email::text, ''))", cast: 'text' },
};

const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A stable key for the advisory lock that serialises changes which may remove an active administrator. */
const ADMIN_SET_LOCK = 0x6761_7465; // "gate"

/**
 * Read models over auth.users for the administrators' API (search, the approvals queue, timed blocks that are due)
 * and the admin-set lock. SQL stays in the users module; the admin module only sees these results.
 */
@Injectable()
export class UserQueries {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One page in (sort key, id) order after `after`, and how many users match the filters in all. */
  async search(filters: UserFilters, sort: { key: SortKey; dir: SortDir }, limit: number, after?: KeysetPosition): Promise<UserPage> {
    const params: unknown[] = [];
    const where = this.where(filters, params);
    const total = ((await this.db.query(`SELECT count(*)::int AS n FROM auth.users u WHERE ${where}`, params)) as Array<{ n: number }>)[0]!.n;
    const { expr, cast } = SORT_SQL[sort.key];
    const cmp = sort.dir === 'asc' ? '>' : '<';
    const page = [...params];
    let keyset = '';
    if (after) {
      page.push(after.key, after.id);
      keyset = ` AND (${expr}, u.id) ${cmp} ($${page.length - 1}::${cast}, $${page.length}::uuid)`;
    }
    page.push(limit);
    const rows = (await this.db.query(
      `SELECT u.id, (${expr})::text AS sort_key FROM auth.users u WHERE ${where}${keyset}
        ORDER BY ${expr} ${sort.dir}, u.id ${sort.dir} LIMIT $${page.length}`,
      page,
    )) as Array<{ id: string; sort_key: string }>;
    return { users: await this.load(rows.map((r) => ({ id: r.id, extra: { sortKey: r.sort_key } }))), total };
  }

  /** Users waiting for approval, longest-waiting first (waiting since the address was verified). */
  async approvalQueue(limit: number, after?: KeysetPosition): Promise<QueueEntry[]> {
    const params: unknown[] = [];
    let keyset = '';
    if (after) {
      params.push(after.key, after.id);
      keyset = ` AND (COALESCE(u.email_verified_at, u.created_at), u.id) > ($1::timestamptz, $2::uuid)`;
    }
    params.push(limit);
    const rows = (await this.db.query(
      `SELECT u.id, COALESCE(u.email_verified_at, u.created_at) AS since, COALESCE(u.email_verified_at, u.created_at)::text AS since_key
         FROM auth.users u WHERE u.status = 'pending_approval'${keyset}
        ORDER BY COALESCE(u.email_verified_at, u.created_at), u.id LIMIT $${params.length}`,
      params,
    )) as Array<{ id: string; since: Date; since_key: string }>;
    const users = await this.load(rows.map((r) => ({ id: r.id, extra: {} })));
    return users.map((user, i) => ({ user, waitingSince: rows[i]!.since, waitingKey: rows[i]!.since_key }));
  }

  /** Ids of users whose timed suspension ended at or before `now` (oldest first, at most `limit`). */
  async dueSuspensions(now: Date, limit = 100): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT id FROM auth.users
        WHERE blocks ? 'suspended' AND blocks->'suspended'->>'until' IS NOT NULL AND (blocks->'suspended'->>'until')::timestamptz <= $1
        ORDER BY (blocks->'suspended'->>'until')::timestamptz LIMIT $2`,
      [now, limit],
    )) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /**
   * Runs `fn` holding the admin-set lock (a transaction-scoped advisory lock every instance shares), handing it a
   * count of the active administrators other than a given user, read under the lock. Every change that may remove an
   * active admin runs inside it, so two admins demoting each other at once are serialised: the second sees the
   * first's change. An advisory lock rather than FOR UPDATE on the admin rows: the change itself is written by the
   * ladder on other connections, which a row lock held here would block.
   */
  async underAdminSetLock<T>(fn: (otherActiveAdmins: (userId: string) => Promise<number>) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '10s'`);
        await tx.query(`SELECT pg_advisory_xact_lock($1)`, [ADMIN_SET_LOCK]);
        return fn(async (userId) => {
          const rows = (await tx.query(`SELECT count(*)::int AS n FROM auth.users WHERE role = 'admin' AND status = 'active' AND id <> $1`, [userId])) as Array<{ n: number }>;
          return rows[0]!.n;
        });
      });
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === '55P03') {
        throw new ConflictError('CONFLICT', 'Another administrator change is in progress; try again');
      }
      throw err;
    }
  }

  private where(f: UserFilters, params: unknown[]): string {
    const clauses: string[] = ['TRUE'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      clauses.push(sql(`$${params.length}`));
    };
    if (f.q !== undefined) {
      add((p) => `(u.email::text ILIKE '%' || ${p} || '%' ESCAPE '\\' OR u.full_name ILIKE '%' || ${p} || '%' ESCAPE '\\' OR u.id::text LIKE lower(${p}) || '%' ESCAPE '\\')`, likeEscape(f.q));
    }
    if (f.status !== undefined) add((p) => `u.status = ${p}::auth.user_status`, f.status);
    if (f.provider !== undefined) add((p) => `u.auth_provider = ${p}`, f.provider);
    if (f.role !== undefined) add((p) => `u.role = ${p}`, f.role);
    if (f.mfa !== undefined) clauses.push(f.mfa ? 'u.mfa_method IS NOT NULL' : 'u.mfa_method IS NULL');
    if (f.createdFrom !== undefined) add((p) => `u.created_at >= ${p}`, f.createdFrom);
    if (f.createdTo !== undefined) add((p) => `u.created_at < ${p}`, f.createdTo);
    return clauses.join(' AND ');
  }

  /** The entities for `ids`, in that order (a row deleted in between is left out). */
  private async load<E extends object>(rows: Array<{ id: string; extra: E }>): Promise<Array<UserEntity & E>> {
    if (rows.length === 0) return [];
    const found = await this.db.getRepository(UserEntity).createQueryBuilder('u').where('u.id IN (:...ids)', { ids: rows.map((r) => r.id) }).getMany();
    const byId = new Map(found.map((u) => [u.id, u]));
    return rows.flatMap((r) => {
      const u = byId.get(r.id);
      return u ? [Object.assign(u, r.extra)] : [];
    });
  }
}
