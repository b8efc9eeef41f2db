import { randomUUID } from 'node:crypto';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { BACKFILL } from '../../migrations/1763861010000-onboarding-facts';
import { USER_STATUS_CHANGED } from '../../src/users/user-events';
import { OnboardingService } from '../../src/users/onboarding/onboarding.service';
import { UsersService } from '../../src/users/users.service';
import { startServices, TestServices } from '../support/services';
import { userFactory } from '../support/user-factory';

describe('onboarding transitions on a real Postgres', () => {
  let t: TestServices;
  let db: DataSource;
  let ladder: OnboardingService;
  beforeAll(async () => {
    t = await startServices();
    db = t.app.get(DataSource);
    ladder = t.app.get(OnboardingService);
  });
  afterAll(() => t.close());

  it('steps switched off are passed over (ONBOARDING_REQUIRE_APPROVAL=false, ONBOARDING_REQUIRE_SUBSCRIPTION=false)', async () => {
    const lean = await startServices({ ONBOARDING_REQUIRE_APPROVAL: 'false', ONBOARDING_REQUIRE_SUBSCRIPTION: 'false' });
    try {
      const users = lean.app.get(UsersService);
      const { user } = await users.provision({ issuer: 'urn:test', subject: randomUUID(), authProvider: 'oidc', email: null, emailVerified: true, fullName: null, role: 'user', organizationId: null });
      expect(user.status).toBe('pending_mfa');
      expect((await lean.app.get(OnboardingService).recordFact(user.id, 'mfa_enrolled', 'user:x'))!.status).toBe('active');
    } finally {
      await lean.close();
    }
  });

  const statusOf = async (id: string) => ((await db.query('SELECT status FROM auth.users WHERE id = $1', [id])) as Array<{ status: string }>)[0]!.status;
  const eventsOf = async (id: string) => (await db.query('SELECT type, from_status, to_status, actor FROM auth.user_events WHERE user_id = $1 ORDER BY id', [id])) as unknown[];

  it('applies an allowed event with one audit row', async () => {
    const id = await userFactory.row(db, { status: 'pending_approval' });
    const user = await ladder.apply(id, 'APPROVED', 'admin:1', { note: 'ok' });
    expect(user.status).toBe('pending_mfa');
    expect(await eventsOf(id)).toEqual([{ type: 'status.approved', from_status: 'pending_approval', to_status: 'pending_mfa', actor: 'admin:1' }]);
  });

  it('refuses an event the ladder does not allow from the current status, and changes nothing', async () => {
    const id = await userFactory.row(db);
    await expect(ladder.apply(id, 'APPROVED', 'admin:1')).rejects.toMatchObject({ code: 'INVALID_TRANSITION', status: 409 });
    expect(await ladder.tryApply(id, 'EMAIL_VERIFIED', 'system')).toBeNull();
    expect(await statusOf(id)).toBe('active');
    expect(await eventsOf(id)).toEqual([]);
    await expect(ladder.apply(randomUUID(), 'APPROVED', 'admin:1')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('disable then enable restores the earlier status: it never skips approval, MFA or subscription', async () => {
    for (const before of ['pending_approval', 'pending_subscription', 'active'] as const) {
      const id = await userFactory.row(db, { status: before });
      await ladder.apply(id, 'DISABLED', 'admin:1');
      expect(await statusOf(id)).toBe('disabled');
      expect((await ladder.apply(id, 'ENABLED', 'admin:1')).status).toBe(before);
      expect(await statusOf(id)).toBe(before);
    }
    // Disabled with no audit record (e.g. by hand in SQL): re-enabling lands on pending_approval, not active.
    const bare = await userFactory.row(db, { status: 'disabled' });
    expect((await ladder.apply(bare, 'ENABLED', 'admin:1')).status).toBe('pending_approval');
  });

  it('two concurrent approvals: exactly one wins, one audit row', async () => {
    const id = await userFactory.row(db, { status: 'pending_approval' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => ladder.apply(id, 'APPROVED', 'admin:1')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await eventsOf(id)).toHaveLength(1);
  });

  it('pending_approval → suspended → reinstated lands back on pending_approval, not active', async () => {
    const id = await userFactory.row(db, { status: 'pending_approval' });
    await ladder.apply(id, 'SUSPENDED', 'admin:1');
    expect(await statusOf(id)).toBe('suspended');
    expect((await ladder.apply(id, 'REINSTATED', 'admin:1')).status).toBe('pending_approval');
  });

  it('disable → enable restores the progress without reading the audit trail', async () => {
    const id = await userFactory.row(db, { status: 'pending_subscription' });
    await ladder.apply(id, 'DISABLED', 'admin:1');
    // The trail is append-only: its rows go only inside a transaction with the triggers off, rolled back afterwards.
    let status: string | undefined;
    const rollback = new Error('roll back the emptied trail');
    await expect(
      t.app.get(UsersService).inTransaction(async (tx) => {
        await tx.query(`SET LOCAL session_replication_role = replica`);
        await tx.query(`DELETE FROM auth.user_events WHERE user_id = $1`, [id]);
        status = (await ladder.apply(id, 'ENABLED', 'admin:1', {}, tx)).status;
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(status).toBe('pending_subscription');
  });

  it("joins the caller's transaction: a failure after the ladder move leaves nothing applied", async () => {
    const id = await userFactory.row(db, { status: 'pending_approval' });
    const users = t.app.get(UsersService);
    const injected = users.inTransaction(async (tx) => {
      await ladder.apply(id, 'APPROVED', 'admin:1', {}, tx);
      await users.revokeTokens(id, 'admin:1', 'test', tx);
      throw new Error('injected after the ladder move');
    });
    await expect(injected).rejects.toThrow('injected after the ladder move');
    expect(await statusOf(id)).toBe('pending_approval');
    expect(await eventsOf(id)).toEqual([]);
    expect((await db.query(`SELECT approved_at, tokens_valid_after FROM auth.users WHERE id = $1`, [id]))[0]).toEqual({ approved_at: null, tokens_valid_after: null });
  });

  it('a step already satisfied is passed over: MFA enrolled while waiting for approval, entitlement before approval', async () => {
    const id = await userFactory.row(db, { status: 'pending_approval' });
    expect((await ladder.recordFact(id, 'mfa_enrolled', 'user:x'))!.status).toBe('pending_approval');
    expect((await ladder.recordFact(id, 'entitled', 'stripe'))!.status).toBe('pending_approval');
    expect((await ladder.apply(id, 'APPROVED', 'admin:1')).status).toBe('active');
    const rows = (await db.query('SELECT approved_by, entitled, blocks FROM auth.users WHERE id = $1', [id])) as unknown[];
    expect(rows[0]).toEqual({ approved_by: 'admin:1', entitled: true, blocks: {} });
    expect(await eventsOf(id)).toEqual([
      { type: 'status.mfa_enrolled', from_status: 'pending_approval', to_status: 'pending_approval', actor: 'user:x' },
      { type: 'status.subscription_created', from_status: 'pending_approval', to_status: 'pending_approval', actor: 'stripe' },
      { type: 'status.approved', from_status: 'pending_approval', to_status: 'active', actor: 'admin:1' },
    ]);
  });

  it("billing lifts its own suspension but never an administrator's", async () => {
    const id = await userFactory.row(db);
    await ladder.block(id, { kind: 'suspended', by: 'admin', reason: 'fraud review' }, 'admin:1');
    expect(await ladder.unblock(id, 'suspended', 'billing', 'stripe')).toEqual({ done: false, refused: 'HELD_BY_ADMIN', status: 'suspended' });
    expect(await statusOf(id)).toBe('suspended');
    await ladder.unblock(id, 'suspended', 'admin', 'admin:1');
    await ladder.block(id, { kind: 'suspended', by: 'billing', reason: 'payment failed' }, 'stripe');
    expect(await ladder.unblock(id, 'suspended', 'billing', 'stripe')).toMatchObject({ done: true, user: { status: 'active' } });
  });

  it('USER_STATUS_CHANGED fires after the caller commits, never for a rollback', async () => {
    const id = await userFactory.row(db, { status: 'pending_approval' });
    const seen: unknown[] = [];
    const events = t.app.get(EventEmitter2);
    const on = (e: { userId: string }) => e.userId === id && seen.push(e);
    events.on(USER_STATUS_CHANGED, on);
    const users = t.app.get(UsersService);
    await users.inTransaction(async (tx) => {
      await ladder.apply(id, 'APPROVED', 'admin:1', {}, tx);
      expect(seen).toEqual([]); // not before the commit
    });
    expect(seen).toEqual([expect.objectContaining({ from: 'pending_approval', to: 'pending_mfa', event: 'APPROVED' })]);
    await users.inTransaction(async (tx) => {
      await ladder.apply(id, 'SUSPENDED', 'admin:1', {}, tx);
      throw new Error('rolled back');
    }).catch(() => undefined);
    expect(seen).toHaveLength(1);
    events.off(USER_STATUS_CHANGED, on);
  });

  it('the migration backfills facts and blocks from the status and (once) the audit trail', async () => {
    const wipe = `UPDATE auth.users SET email_verified_at = NULL, approved_at = NULL, approved_by = NULL, mfa_enrolled_at = NULL, entitled = false, blocks = '{}' WHERE id = $1`;
    const sub = await userFactory.row(db, { status: 'pending_subscription' });
    const dis = await userFactory.row(db);
    await ladder.apply(dis, 'SUSPENDED', 'admin:1');
    await ladder.apply(dis, 'DISABLED', 'admin:1');
    for (const id of [sub, dis]) await db.query(wipe, [id]);
    await db.query(BACKFILL);
    expect((await ladder.apply(dis, 'ENABLED', 'admin:1')).status).toBe('suspended');
    expect((await ladder.apply(dis, 'REINSTATED', 'admin:1')).status).toBe('active');
    await ladder.apply(sub, 'SUSPENDED', 'admin:1');
    expect((await ladder.apply(sub, 'REINSTATED', 'admin:1')).status).toBe('pending_subscription');
  });

  it('revokeTokens sets the watermark and returns it; an unknown user gets null', async () => {
    const id = await userFactory.row(db);
    const users = t.app.get(UsersService);
    const at = await users.revokeTokens(id, 'user:x', 'sign-out');
    expect(at).toBeInstanceOf(Date);
    expect(Math.abs(at!.getTime() - Date.now())).toBeLessThan(5_000);
    expect(await users.revokeTokens(randomUUID(), 'user:x', 'sign-out')).toBeNull();
  });
});
