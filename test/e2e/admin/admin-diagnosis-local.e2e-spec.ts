import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { announced } from '../../support/user-factory';
import { auditRows, member, type Member } from './admin-fixtures';

type Finding = { kind: string; effect: string; reconcile?: unknown };
type DiagnosisBody = { canSignIn: boolean; blockers: Finding[]; drift: Finding[]; gatehouse: Record<string, unknown>; provider: Record<string, unknown> };

/** Issue #15 "why can't this user sign in?" on the local provider: its lock, and drift between the row and its factors. */
describe('admin diagnosis and reconcile (local provider)', () => {
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: Member;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '3' });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
    admin = await member(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  const diagnosis = (id: string) => api.get<DiagnosisBody>(`/api/v1/admin/users/${id}/diagnosis`, admin.token);

  it('a pending user signs in but is held at approval; the fix names the approve route', async () => {
    const u = await member(t, 'user', 'pending_approval');
    const d = await diagnosis(u.id);
    // The fixture's temporary password is the provider's FORCE_CHANGE_PASSWORD: reported, not refusing.
    expect(d.body).toMatchObject({
      canSignIn: true,
      drift: [],
      blockers: [{ kind: 'WAITING_FOR_APPROVAL', effect: 'held', fixes: [{ by: 'admin', action: 'approve' }] }, { kind: 'PROVIDER_FORCE_CHANGE_PASSWORD', effect: 'info' }],
    });
    expect(d.body.provider).toMatchObject({ available: true, provider: 'local', groups: null, lock: { locked: false } });
  });

  it('failed sign-ins: the lockout is named as the reason, with the time it ends; a new password lifts it', async () => {
    const u = await member(t, 'user', 'active');
    for (let i = 0; i < 3; i++) expect((await api.post('/api/v1/auth/login', { email: u.email, password: 'wrong passphrase 9' })).status).toBe(401);
    const d = await diagnosis(u.id);
    expect(d.body.canSignIn).toBe(false);
    expect(d.body.blockers).toEqual([expect.objectContaining({ kind: 'LOGIN_LOCKED', effect: 'refused' }), expect.objectContaining({ kind: 'PROVIDER_FORCE_CHANGE_PASSWORD' })]);
    expect(d.body.gatehouse).toMatchObject({ lockout: { locked: true, failures: 3, lockedClients: 1 } });
    expect((await api.post(`/api/v1/admin/users/${u.id}/set-password`, { password: 'a fresh passphrase 7', permanent: true }, admin.token)).status).toBe(200);
    expect((await diagnosis(u.id)).body).toMatchObject({ canSignIn: true, blockers: [] });
    expect((await api.post('/api/v1/auth/login', { email: u.email, password: 'a fresh passphrase 7' })).status).toBe(200);
  });

  it('Gatehouse records a factor the provider does not have: drift; reconcile withdraws it (audited) and the MFA step is due again', async () => {
    const u = await member(t, 'user', 'active');
    await announced(t.app.get(EventEmitter2), async () => {
      await db.query(`UPDATE auth.users SET mfa_method = 'totp' WHERE id = $1`, [u.id]);
      return u.id;
    });
    const before = await diagnosis(u.id);
    expect(before.body.drift).toEqual([expect.objectContaining({ kind: 'MFA_MISSING_AT_PROVIDER', reconcile: { kind: 'mfa_removed' } })]);

    const done = await api.post<{ entries: unknown[]; diagnosis: DiagnosisBody }>(`/api/v1/admin/users/${u.id}/reconcile`, {}, admin.token);
    expect(done.body.entries).toEqual([{ kind: 'MFA_MISSING_AT_PROVIDER', step: { kind: 'mfa_removed' }, result: 'applied' }]);
    expect(done.body.diagnosis.drift).toEqual([]);
    const [row] = (await db.query(`SELECT mfa_method, mfa_enrolled_at, status FROM auth.users WHERE id = $1`, [u.id])) as Array<{ mfa_method: string | null; mfa_enrolled_at: Date | null; status: string }>;
    expect(row).toEqual({ mfa_method: null, mfa_enrolled_at: null, status: 'pending_mfa' });
    const rows = await auditRows(db, u.id);
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'mfa.disabled', actor: `admin:${admin.id}` }), expect.objectContaining({ type: 'admin.reconciled', actor: `admin:${admin.id}` })]));
  });

  it('a required MFA without an authenticator is a reason (held), not drift: reconcile applies nothing', async () => {
    const u = await member(t, 'user', 'active');
    await announced(t.app.get(EventEmitter2), async () => {
      await db.query(`UPDATE auth.users SET mfa_required = true WHERE id = $1`, [u.id]);
      return u.id;
    });
    const done = await api.post<{ entries: unknown[]; manual: string[]; diagnosis: DiagnosisBody }>(`/api/v1/admin/users/${u.id}/reconcile`, {}, admin.token);
    expect(done.body).toMatchObject({ entries: [], manual: [] });
    expect(done.body.diagnosis.blockers.map((b) => b.kind)).toEqual(['MFA_REQUIRED_NOT_ENROLLED', 'PROVIDER_FORCE_CHANGE_PASSWORD']);
  });
});
