import { DataSource } from 'typeorm';
import type { UserStatus } from '../../src/common/user-status';

/** Inserts a user directly (before any request has cached it), so tests start from a known state. */
export async function insertUser(db: DataSource, issuer: string, subject: string, status: UserStatus = 'active', provider = 'cognito'): Promise<string> {
  const rows: Array<{ id: string }> = await db.query(
    `INSERT INTO auth.users (issuer, subject, auth_provider, status, email_verified) VALUES ($1, $2, $3, $4, true) RETURNING id`,
    [issuer, subject, provider, status],
  );
  return rows[0]!.id;
}

/** Polls until `check` passes or `ms` run out; returns how long it took. Used where a rule must hold "within" a bound. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
