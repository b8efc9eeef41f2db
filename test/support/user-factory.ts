import { randomUUID } from 'node:crypto';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { USER_CHANGED, type UserChanged } from '../../src/users/user-events';
import type { UserStatus } from '../../src/common/user-status';
import type { JsonClient } from './http';
import type { SmtpCapture } from './smtp-capture';
import { waitFor } from './wait-for';

/**
 * The one place tests make users:
 * - `userFactory.row(db, {status, issuer, subject, provider})`: a row written with SQL (no provider, no request), on
 *   the rung `status` names (see setStatus);
 * - `userFactory.local.verified(api, smtp)`: a local account registered and confirmed over HTTP (the mailed code);
 * - `userFactory.cognito.confirmed(api, code)`: the same against cognito-local (its fixed code).
 * Suites with a richer starting point (MFA enrolled, signed in) build it from these.
 */

/** The progress facts that put a user on each rung with every step on; a blocked status sits on pending_approval. */
const RUNG: Record<UserStatus, number> = {
  pending_verification: 0, pending_approval: 1, pending_mfa: 2, pending_subscription: 3, active: 4, suspended: 1, disabled: 1, rejected: 1,
};
const BLOCKED: readonly UserStatus[] = ['suspended', 'disabled', 'rejected'];

/**
 * Puts a user in `status` by writing the ladder's facts and blocks that derive it (the status is never set alone:
 * the next ladder change would re-derive it from the facts). For tests that need a starting point.
 */
export async function setStatus(db: DataSource, userId: string, status: UserStatus): Promise<void> {
  const rung = RUNG[status];
  const blocks = BLOCKED.includes(status) ? { [status]: { kind: status, by: 'admin', reason: 'test', until: null, at: new Date().toISOString() } } : {};
  await db.query(
    `UPDATE auth.users SET status = $2,
       email_verified_at = CASE WHEN $3 THEN COALESCE(email_verified_at, now()) END, email_verified = email_verified OR $3,
       approved_at = CASE WHEN $4 THEN COALESCE(approved_at, now()) END, approved_by = CASE WHEN $4 THEN 'test' END,
       mfa_enrolled_at = CASE WHEN $5 THEN COALESCE(mfa_enrolled_at, now()) END, entitled = $6, blocks = $7::jsonb
     WHERE id = $1`,
    [userId, status, rung >= 1, rung >= 2, rung >= 3, rung >= 4, JSON.stringify(blocks)],
  );
}

/**
 * Resolves once the change feed has delivered a notice for each user id `write` returns: a row written with SQL by a
 * test is announced asynchronously, and a cache filled before the notice arrives is emptied by it. Waiting keeps a
 * test about the cache from racing its own set-up.
 */
export async function announced<T extends string>(events: EventEmitter2, write: () => Promise<T>): Promise<T> {
  const last = new Map<string, number>();
  const onChange = (e: UserChanged) => {
    if (e.source === 'feed') last.set(e.userId, Date.now());
  };
  events.on(USER_CHANGED, onChange);
  try {
    const id = await write();
    // A write of several statements sends several notices: wait until this user's have gone quiet for a moment.
    const quiet = () => {
      const at = last.get(id);
      return at !== undefined && Date.now() - at >= QUIET_MS;
    };
    await waitFor(quiet, { timeoutMs: 5_000, intervalMs: 10, what: `a quiet change notice for ${id}` });
    return id;
  } finally {
    events.off(USER_CHANGED, onChange);
  }
}

const QUIET_MS = 50;

export interface RowSpec {
  status?: UserStatus;
  issuer?: string;
  /** Defaults to a fresh UUID. */
  subject?: string;
  provider?: string;
}

export interface AccountSpec {
  email?: string;
  password?: string;
  fullName?: string;
}

let made = 0;
/** A fresh address per call (unique across the run's suites, which share one database). */
export const freshEmail = (prefix = 'user'): string => `${prefix}${++made}.${Date.now()}@example.com`;

const codeIn = (text: string) => /code is (\d{6})/.exec(text)![1]!;

async function register(api: JsonClient, spec: AccountSpec, password: string): Promise<string> {
  const email = spec.email ?? freshEmail();
  const res = await api.post('/api/v1/auth/register', { email, password, ...(spec.fullName ? { fullName: spec.fullName } : {}) });
  if (res.status !== 202) throw new Error(`register answered ${res.status}: ${JSON.stringify(res.body)}`);
  return email;
}

async function confirm(api: JsonClient, email: string, code: string): Promise<void> {
  const res = await api.post('/api/v1/auth/confirm-email', { email, code });
  if (res.status !== 200) throw new Error(`confirm-email answered ${res.status}: ${JSON.stringify(res.body)}`);
}

export const userFactory = {
  /** Inserts a user directly (before any request has cached it), so tests start from a known state; returns its id. */
  async row(db: DataSource, spec: RowSpec = {}): Promise<string> {
    const { status = 'active', issuer = 'urn:test', subject = randomUUID(), provider = 'cognito' } = spec;
    const rows: Array<{ id: string }> = await db.query(
      `INSERT INTO auth.users (issuer, subject, auth_provider, status, email_verified) VALUES ($1, $2, $3, $4, true) RETURNING id`,
      [issuer, subject, provider, status],
    );
    await setStatus(db, rows[0]!.id, status);
    return rows[0]!.id;
  },
  local: {
    /** Registers and confirms a local account over HTTP with the code the verification mail carries; returns the address. */
    async verified(api: JsonClient, smtp: SmtpCapture, password: string, spec: AccountSpec = {}): Promise<string> {
      const email = await register(api, spec, password);
      const mail = await smtp.waitFor(email, (m) => /verification code/.test(m.subject));
      await confirm(api, email, codeIn(mail.text));
      return email;
    },
  },
  cognito: {
    /**
     * Registers and confirms a Cognito account over HTTP with cognito-local's fixed `code`; `settle` waits for the
     * provider's detached work after the 202 (CognitoAuthProvider.whenIdle); returns the address.
     */
    async confirmed(api: JsonClient, code: string, password: string, spec: AccountSpec & { settle?: () => Promise<void> } = {}): Promise<string> {
      const email = await register(api, spec, password);
      await spec.settle?.();
      await confirm(api, email, code);
      return email;
    },
  },
};
