import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountAdministration } from '../../../src/auth/admin/account-administration.service';
import type { UserStatus } from '../../../src/common/user-status';
import type { Role } from '../../../src/config/config.types';
import type { Env } from '../../../src/config/env-reader';
import { freePort, startTestApp, type TestApp } from '../../support/app';
import { announced, setStatus } from '../../support/user-factory';

export const PASSWORD = 'console passphrase 1';

/**
 * The app on a port chosen first, so PUBLIC_URL is the very address the browser uses: the console's writes are
 * same-origin and pass the Origin rule only when Gatehouse knows its own origin.
 */
export async function startConsoleApp(env: Env = {}, opts: Parameters<typeof startTestApp>[1] = {}): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}`, RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '1000', ...env }, { ...opts, port });
}

export interface Account {
  id: string;
  email: string;
}

/**
 * A local account with a permanent password (through the admin port, as the first-admin CLI makes one), on `status`
 * with `role`, and `fullName` written as a provider would hand it over (any text: the console must show it as text).
 */
export async function account(t: TestApp, role: Role, status: UserStatus = 'active', fullName: string | null = null): Promise<Account> {
  const email = `console.${role}.${randomUUID().slice(0, 8)}@example.com`;
  const accounts = t.app.get(AccountAdministration);
  const actor = { userId: 'test-setup' };
  const { userId } = await accounts.createUser({ email, temporaryPassword: 'temporary passphrase 1', emailVerified: true, suppressInvite: true }, actor);
  await accounts.setPassword(userId, PASSWORD, true, actor);
  const db = t.app.get(DataSource);
  await announced(t.app.get(EventEmitter2), async () => {
    await setStatus(db, userId, status);
    await db.query(`UPDATE auth.users SET role = $2, full_name = $3 WHERE id = $1`, [userId, role, fullName]);
    return userId;
  });
  return { id: userId, email };
}

export async function statusOf(t: TestApp, id: string): Promise<string> {
  const rows: Array<{ status: string }> = await t.app.get(DataSource).query(`SELECT status FROM auth.users WHERE id = $1`, [id]);
  return rows[0]!.status;
}
