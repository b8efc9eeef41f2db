import { DataSource } from 'typeorm';
import { AuditRetention } from '../../../src/admin/audit/audit-retention';
import { UsersService } from '../../../src/users/users.service';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { LogCapture } from '../../support/log-capture';
import { privateDatabase, type PrivateDatabase } from '../../support/private-database';
import { userFactory } from '../../support/user-factory';
import { member, type Member } from './admin-fixtures';

type Verify = { ok: boolean; checked: number; brokenAt?: { id: string; why: string }; head: { seq: string; hash: string; anchorSeq: string; anchorHash: string } };
type HeadLine = { msg?: string; pruned?: number; head?: Verify['head'] };

/**
 * The audit trail's integrity on a database of its own (these tests prune the whole trail and tamper with it with
 * the triggers off, which must not touch the run's shared database): append-only triggers, the hash chain under
 * concurrent writers, verify finding a tampered row, and retention keeping the chain verifiable from its anchor.
 */
describe('audit trail: append-only and hash-chained (issue 15)', () => {
  let pdb: PrivateDatabase;
  let t: TestApp;
  let db: DataSource;
  let api: JsonClient;
  let auditor: Member;
  const logs = new LogCapture();

  beforeAll(async () => {
    pdb = await privateDatabase('audit');
    t = await startTestApp({ LOG_LEVEL: 'info', AUDIT_RETENTION_DAYS: '30' }, { databaseUrl: pdb.url, logDestination: logs.stream });
    db = t.app.get(DataSource);
    api = new JsonClient(t.url);
    auditor = await member(t, 'auditor');
  });
  afterAll(async () => {
    await t?.close();
    await pdb?.drop();
  });

  const verify = async () => {
    const res = await api.get<Verify>('/api/v1/admin/audit/verify', auditor.token);
    expect(res.status).toBe(200);
    return res.body;
  };
  const someRow = async () => ((await db.query(`SELECT id, reason, detail FROM auth.user_events ORDER BY id LIMIT 1`)) as Array<{ id: string; reason: string | null; detail: unknown }>)[0]!;
  /** Runs `sql` with the triggers forced off (session_replication_role = replica: superuser only, as an attacker with the database would). */
  const withTriggersOff = (sql: string, params: unknown[]) =>
    db.transaction(async (tx) => {
      await tx.query(`SET LOCAL session_replication_role = replica`);
      await tx.query(sql, params);
    });

  it('a direct SQL UPDATE, DELETE or TRUNCATE of an audit row is refused, and the row is unchanged', async () => {
    const row = await someRow();
    await expect(db.query(`UPDATE auth.user_events SET reason = 'rewritten' WHERE id = $1`, [row.id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.query(`DELETE FROM auth.user_events WHERE id = $1`, [row.id])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.query(`TRUNCATE auth.user_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    // Even with the prune switch set by hand, only rows at or before the anchor may go (there is no anchor yet).
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('gatehouse.audit_prune', 'on', true)`);
        await tx.query(`DELETE FROM auth.user_events WHERE id = $1`, [row.id]);
      }),
    ).rejects.toThrow(/DELETE refused/);
    expect(await someRow()).toEqual(row);
    // Nor can the head be moved or removed by hand.
    await expect(db.query(`UPDATE auth.audit_chain SET head_hash = 'x'`)).rejects.toThrow(/audit_chain moves only with the chain: UPDATE refused/);
    await expect(db.query(`DELETE FROM auth.audit_chain`)).rejects.toThrow(/DELETE refused/);
  });

  it('a writer cannot pick its own place in the chain: seq and hashes are sealed at commit', async () => {
    const id = await userFactory.row(db, { status: 'active' });
    await db.query(`INSERT INTO auth.user_events (user_id, actor, type, seq, prev_hash, hash) VALUES ($1, 'system', 'user.provisioned', 1, 'forged', 'forged')`, [id]);
    const [row] = (await db.query(`SELECT seq, prev_hash, hash FROM auth.user_events WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, [id])) as Array<{ seq: string; prev_hash: string; hash: string }>;
    expect(row!.prev_hash).not.toBe('forged');
    expect(row!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await verify()).ok).toBe(true);
  });

  it('50 concurrent writers through the real writer: every row chained once, verify ok', async () => {
    const id = await userFactory.row(db, { status: 'active' });
    const users = t.app.get(UsersService);
    const before = (await verify()).checked;
    await Promise.all(Array.from({ length: 50 }, (_, i) => users.recordEvent({ userId: id, actor: 'system', type: 'profile.synced', detail: { i } })));
    const seqs = (await db.query(`SELECT seq FROM auth.user_events WHERE user_id = $1 AND type = 'profile.synced'`, [id])) as Array<{ seq: string | null }>;
    expect(seqs).toHaveLength(50);
    expect(new Set(seqs.map((s) => s.seq)).size).toBe(50);
    const result = await verify();
    expect(result).toMatchObject({ ok: true });
    // 50 rows, plus the audit.verified row the first verify wrote.
    expect(result.checked).toBe(before + 51);
  });

  it('with the trigger forced off, verify reports the edited row; put back, the chain is whole again', async () => {
    const row = await someRow();
    await withTriggersOff(`UPDATE auth.user_events SET reason = 'quietly rewritten' WHERE id = $1`, [row.id]);
    const broken = await verify();
    expect(broken).toMatchObject({ ok: false, brokenAt: { id: row.id, why: 'content' } });
    await withTriggersOff(`UPDATE auth.user_events SET reason = $2 WHERE id = $1`, [row.id, row.reason]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('a row deleted with the triggers off breaks the chain at the row after it', async () => {
    const id = await userFactory.row(db, { status: 'active' });
    const users = t.app.get(UsersService);
    for (const i of [1, 2, 3]) await users.recordEvent({ userId: id, actor: 'system', type: 'profile.synced', detail: { i } });
    // As jsonb, so the timestamp keeps its microseconds when it is put back.
    const rows = (await db.query(`SELECT e.id, to_jsonb(e) AS j FROM auth.user_events e WHERE e.user_id = $1 ORDER BY e.seq`, [id])) as Array<{ id: string; j: unknown }>;
    const [, middle, after] = rows.slice(-3);
    await withTriggersOff(`DELETE FROM auth.user_events WHERE id = $1`, [middle!.id]);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: { id: after!.id, why: 'gap' } });
    // Put back exactly (replica role: no trigger rewrites the chain columns), the chain is whole again.
    await withTriggersOff(`INSERT INTO auth.user_events SELECT * FROM jsonb_populate_record(NULL::auth.user_events, $1::jsonb)`, [JSON.stringify(middle!.j)]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('pruning past the retention cuts the oldest rows, keeps verify green from the anchor and logs the head', async () => {
    const id = await userFactory.row(db, { status: 'active' });
    const users = t.app.get(UsersService);
    const [{ cutoff }] = (await db.query(`SELECT clock_timestamp() AS cutoff`)) as Array<{ cutoff: Date }>;
    for (const i of [1, 2]) await users.recordEvent({ userId: id, actor: 'system', type: 'profile.synced', detail: { kept: i } });
    const [{ n: older }] = (await db.query(`SELECT count(*)::int AS n FROM auth.user_events WHERE at < $1`, [cutoff])) as Array<{ n: number }>;
    const [lastPruned] = (await db.query(`SELECT e.seq::text AS seq, e.hash FROM auth.user_events e WHERE e.at < $1 ORDER BY e.seq DESC LIMIT 1`, [cutoff])) as Array<{ seq: string; hash: string }>;

    // The daily run with AUDIT_RETENTION_DAYS=30, as if it ran 30 days after `cutoff`.
    const outcome = await t.app.get(AuditRetention).daily(new Date(cutoff.getTime() + 30 * 86_400_000));
    expect(outcome).toMatchObject({ pruned: older, head: { anchorSeq: lastPruned!.seq, anchorHash: lastPruned!.hash } });
    expect(await db.query(`SELECT 1 FROM auth.user_events WHERE at < $1`, [cutoff])).toHaveLength(0);
    expect(await db.query(`SELECT 1 FROM auth.user_events WHERE user_id = $1 AND type = 'profile.synced' AND detail ? 'kept'`, [id])).toHaveLength(2);

    const line = logs.lines.find((l: HeadLine) => l.msg === 'audit chain head' && (l as HeadLine).pruned === older) as HeadLine | undefined;
    expect(line?.head).toEqual(outcome!.head);
    const after = await verify();
    expect(after).toMatchObject({ ok: true, head: { anchorSeq: lastPruned!.seq, anchorHash: lastPruned!.hash } });
    // The rows kept: the two written after the cutoff and the audit.verified rows since (this verify's is sealed after its answer).
    expect(after.checked).toBeGreaterThanOrEqual(2);
  });
});
