import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Role } from '../../../config/config.types';
import type { UserStatus } from '../../../common/user-status';
import { LOCAL_USER_ISSUER } from '../../tokens/key-source';
import type { Row } from './local-auth.records';

/** A local user as the admin directory shows it: the user row plus the credential facts the directory reports. */
export interface LocalDirectoryRow {
  id: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  fullName: string | null;
  status: UserStatus;
  role: Role;
  organizationId: string | null;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** created_at with microseconds (JS dates stop at milliseconds): the exact key a page cursor continues after. */
  createdAtKey: string;
}

/** Local users (issuer and provider both local) that have credentials: the local directory. `$1` is the issuer. */
const DIRECTORY_SELECT = `
  SELECT u.id, u.subject, u.email, u.email_verified, u.full_name, u.status, u.role, u.organization_id, u.created_at, u.updated_at,
         to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key,
         c.must_change_password, c.totp_secret_enc IS NOT NULL AS totp_enabled
    FROM auth.users u JOIN auth.local_credentials c ON c.user_id = u.id
   WHERE u.issuer = $1 AND u.auth_provider = 'local'`;

function directoryRow(r: Row): LocalDirectoryRow {
  return {
    id: r.id as string,
    subject: r.subject as string,
    email: (r.email as string | null) ?? null,
    emailVerified: r.email_verified as boolean,
    fullName: (r.full_name as string | null) ?? null,
    status: r.status as UserStatus,
    role: r.role as Role,
    organizationId: (r.organization_id as string | null) ?? null,
    mustChangePassword: r.must_change_password as boolean,
    totpEnabled: r.totp_enabled as boolean,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    createdAtKey: r.created_key as string,
  };
}

/** The admin directory's reads over the local provider's users (LocalAdmin's listing, lookup and count). */
@Injectable()
export class LocalDirectoryRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * One page of local users in (created_at, id) order, after the key `after` (exclusive). `emailPrefix` matches the
   * start of the address case-insensitively; LIKE's wildcards in it are escaped, so "%" finds a literal percent sign
   * and cannot turn a prefix search into a scan of everybody.
   */
  async directoryPage(opts: { limit: number; after?: { createdAtKey: string; id: string }; emailPrefix?: string }): Promise<LocalDirectoryRow[]> {
    const pattern = opts.emailPrefix === undefined ? null : `${opts.emailPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows: Row[] = await this.db.query(
      `${DIRECTORY_SELECT}
          AND ($2::timestamptz IS NULL OR (u.created_at, u.id) > ($2::timestamptz, $3::uuid))
          AND ($4::text IS NULL OR u.email::text ILIKE $4 ESCAPE '\\')
        ORDER BY u.created_at, u.id
        LIMIT $5`,
      [LOCAL_USER_ISSUER, opts.after?.createdAtKey ?? null, opts.after?.id ?? null, pattern, opts.limit],
    );
    return rows.map(directoryRow);
  }

  async directoryEntry(userId: string): Promise<LocalDirectoryRow | null> {
    const rows: Row[] = await this.db.query(`${DIRECTORY_SELECT} AND u.id = $2`, [LOCAL_USER_ISSUER, userId]);
    return rows[0] ? directoryRow(rows[0]) : null;
  }

  async countDirectory(): Promise<number> {
    const rows: Row[] = await this.db.query(
      `SELECT count(*)::int AS n FROM auth.users u JOIN auth.local_credentials c ON c.user_id = u.id WHERE u.issuer = $1 AND u.auth_provider = 'local'`,
      [LOCAL_USER_ISSUER],
    );
    return rows[0]!.n as number;
  }
}
