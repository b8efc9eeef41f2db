import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountAdministration } from '../../../src/auth/admin/account-administration.service';
import { LocalSessions } from '../../../src/auth/providers/local/local-sessions';
import type { UserStatus } from '../../../src/common/user-status';
import type { Role } from '../../../src/config/config.types';
import { UsersService } from '../../../src/users/users.service';
import type { TestApp } from '../../support/app';
import { announced, setStatus } from '../../support/user-factory';

export interface Member {
  id: string;
  email: string;
  token: string;
  refreshToken: string;
}

let n = 0;
export const uniqueEmail = (prefix = 'adm'): string => `${prefix}${++n}.${Date.now()}.${randomUUID().slice(0, 6)}@example.com`;

/**
 * A local user with real credentials (made through the admin port, as the first-admin CLI does), put at `status` with
 * `role` by writing the ladder facts, and signed in: a real RS256 access token and refresh token from the local
 * provider's session service (the same one /auth/login ends in).
 */
export async function member(t: TestApp, role: Role, status: UserStatus = 'active', email = uniqueEmail(role)): Promise<Member> {
  const db = t.app.get(DataSource);
  const created = await t.app.get(AccountAdministration).createUser({ email, temporaryPassword: 'temporary passphrase 1', emailVerified: true, suppressInvite: true }, { userId: 'test-setup' });
  await announced(t.app.get(EventEmitter2), async () => {
    await setStatus(db, created.userId, status);
    await db.query(`UPDATE auth.users SET role = $2 WHERE id = $1`, [created.userId, role]);
    return created.userId;
  });
  const user = (await t.app.get(UsersService).findById(created.userId))!;
  const tokens = await t.app.get(LocalSessions).issueTokens(user);
  return { id: created.userId, email, token: tokens.accessToken, refreshToken: tokens.refreshToken! };
}

export async function auditRows(db: DataSource, userId: string): Promise<Array<{ type: string; actor: string; from_status: string | null; to_status: string | null; detail: Record<string, unknown> }>> {
  return db.query(`SELECT type, actor, from_status, to_status, detail FROM auth.user_events WHERE user_id = $1 ORDER BY id`, [userId]);
}

/** Keys and values that must never appear in an admin answer (hashes, TOTP secrets, codes, tokens). */
export function secretsIn(body: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') {
      if (/^\$argon2|^eyJ[\w-]+\.[\w-]+\./.test(v)) found.push(`${path}=${v.slice(0, 20)}`);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (/hash|secret|totp|token|code|otp|recovery|password(?!ResetAt)/i.test(k)) found.push(`${path}.${k}`);
        walk(x, `${path}.${k}`);
      }
    }
  };
  walk(body, '$');
  return found;
}
