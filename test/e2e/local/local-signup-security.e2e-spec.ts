import { Logger } from '@nestjs/common';
import { DeferredWork } from '../../../src/common/deferred/deferred-work';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { DataSource } from 'typeorm';
import { LocalAuthRepository } from '../../../src/auth/providers/local/local-auth.repository';
import { LOCAL_SECRETS, type LocalSecrets } from '../../../src/auth/providers/local/local-secrets';
import { startTestApp, TestApp } from '../../support/app';
import { errorShape, JsonAnswer, JsonClient } from '../../support/http';
import { LocalApp, startLocalApp } from '../../support/local-app';
import { SmtpCapture } from '../../support/smtp-capture';
import { waitFor } from '../../support/wait-for';
import { userFactory } from '../../support/user-factory';

/**
 * Issue #9 items 1, 3, 4, 5, 6 and 8 as attacks through HTTP, with real mail (SMTP capture) and real Postgres.
 * Every code is read from a mail that was actually sent.
 */
const ATTACKER_PW = 'attacker chose this one';
const VICTIM_PW = 'the victim own passphrase';
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POST JSON from a chosen loopback source address: each 127.0.0.x is a different client IP for the server. */
function postFrom(baseUrl: string, from: string, path: string, body: unknown): Promise<JsonAnswer> {
  const url = new URL(path, baseUrl);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('local sign-up security (issue #9 items 1, 3, 4, 5, 6, 8)', () => {
  let fixture: LocalApp;
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let n = 0;

  beforeAll(async () => {
    fixture = await startLocalApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '3' });
    ({ smtp, t, api, db } = fixture);
  });
  afterAll(() => fixture?.close());

  const email = () => `signup${++n}.${Date.now()}@example.com`;
  const mails = (to: string, subject: RegExp) => smtp.messages.filter((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));
  const codeIn = (text: string) => /code is (\d{6})/.exec(text)![1]!;
  /** The code of the newest verification mail to `to` once `count` of them have arrived. */
  const nthCode = async (to: string, count: number) => {
    await waitFor(() => mails(to, /verification/).length >= count, { timeoutMs: 2_000, what: `${count} verification mails to ${to}` });
    const all = mails(to, /verification/);
    expect(all.length).toBe(count);
    return codeIn(all[count - 1]!.text);
  };
  const userRow = async (address: string) =>
    ((await db.query(`SELECT id, subject, status, email_verified, full_name FROM auth.users WHERE email = $1`, [address])) as Array<Record<string, unknown>>)[0];
  const login = (address: string, password: string) => api.post<Record<string, string>>('/api/v1/auth/login', { email: address, password });
  const register = (address: string, password: string, fullName?: string) => api.post('/api/v1/auth/register', { email: address, password, ...(fullName ? { fullName } : {}) });
  const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  /** Waits until nothing more arrives for a while: detached work (mail) has had its chance. */
  const quiet = async () => {
    let last = -1;
    while (last !== smtp.messages.length) {
      last = smtp.messages.length;
      await sleep(300);
    }
  };

  const verifiedUser = (password = VICTIM_PW) => userFactory.local.verified(api, smtp, password, { email: email() });

  describe('item 1: pre-account takeover', () => {
    it("the victim's registration takes over an attacker's unverified one: only the victim's password signs in", async () => {
      const victim = email();
      expect((await register(victim, ATTACKER_PW, 'Mallory')).status).toBe(202);
      await nthCode(victim, 1);
      const planted = (await userRow(victim))!;
      // Whatever the attacker left on the unverified account (a session row, recovery codes) must not survive.
      await db.query(`INSERT INTO auth.local_refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), 'planted', now() + interval '1 day')`, [planted.id]);

      expect((await register(victim, VICTIM_PW, 'Victoria')).status).toBe(202);
      const code = await nthCode(victim, 2);
      expect((await api.post('/api/v1/auth/confirm-email', { email: victim, code })).body).toEqual({ status: 'verified' });

      expect((await login(victim, ATTACKER_PW)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
      const owner = await login(victim, VICTIM_PW);
      expect(owner.status).toBe(200);
      expect(owner.body).toMatchObject({ tokenType: 'Bearer' });
      expect(await userRow(victim)).toMatchObject({ full_name: 'Victoria', email_verified: true });
      expect(await db.query(`SELECT 1 FROM auth.local_refresh_tokens WHERE token_hash = 'planted' AND revoked_at IS NULL`)).toEqual([]);
    });

    it("the attacker's earlier code dies with the victim's registration", async () => {
      const victim = email();
      await register(victim, ATTACKER_PW);
      const attackersCode = await nthCode(victim, 1);
      await register(victim, VICTIM_PW);
      const victimsCode = await nthCode(victim, 2);
      if (attackersCode !== victimsCode) {
        expect((await api.post('/api/v1/auth/confirm-email', { email: victim, code: attackersCode })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
      }
    });

    it('an unverified account can never hold a second factor (the database refuses it)', async () => {
      const address = email();
      await register(address, ATTACKER_PW);
      await nthCode(address, 1);
      const { id } = (await userRow(address))!;
      await expect(db.query(`UPDATE auth.local_credentials SET totp_pending_enc = 'x' WHERE user_id = $1`, [id])).rejects.toThrow(/unverified/);
      await expect(db.query(`UPDATE auth.local_credentials SET totp_secret_enc = 'x' WHERE user_id = $1`, [id])).rejects.toThrow(/unverified/);
      await expect(db.query(`INSERT INTO auth.local_recovery_codes (user_id, code_hash) VALUES ($1, 'x')`, [id])).rejects.toThrow(/unverified/);
    });

    it("GET and HEAD of the mailed link change nothing; the page's form POSTs the token, which verifies once", async () => {
      const address = email();
      await register(address, VICTIM_PW);
      await nthCode(address, 1);
      const link = /(https?:\/\/\S+confirm-email\?token=\S+)/.exec(mails(address, /verification/)[0]!.text)![1]!;
      const token = new URL(link).searchParams.get('token')!;
      const path = `/api/v1/auth/confirm-email?token=${encodeURIComponent(token)}`;

      const head = await fetch(`${t.url}${path}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      const page = await fetch(`${t.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('cache-control')).toContain('no-store');
      const html = await page.text();
      expect(html).not.toMatch(/<script/i);
      expect(html).toMatch(/<form method="post" action="\/api\/v1\/auth\/confirm-email-link">/);
      expect(html).toContain(`value="${token}"`);
      expect(await userRow(address)).toMatchObject({ status: 'pending_verification', email_verified: false });

      // What the form sends (form-encoded), answered with a page; a JSON client gets JSON.
      const posted = await fetch(`${t.url}/api/v1/auth/confirm-email-link`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(token)}` });
      expect(posted.status).toBe(200);
      expect(posted.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await userRow(address)).toMatchObject({ status: 'pending_approval', email_verified: true });
      expect((await api.post('/api/v1/auth/confirm-email-link', { token })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
    });

    it('an unverified registration expires after 7 days: its code stops working and a new registration starts afresh', async () => {
      const address = email();
      await register(address, ATTACKER_PW);
      const staleCode = await nthCode(address, 1);
      const before = (await userRow(address))!;
      await db.query(`UPDATE auth.users SET created_at = now() - interval '8 days' WHERE id = $1`, [before.id]);
      expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: staleCode })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });

      await register(address, VICTIM_PW);
      const fresh = await nthCode(address, 2);
      const after = (await userRow(address))!;
      expect(after.id).not.toBe(before.id);
      expect(after.subject).not.toBe(before.subject);
      await api.post('/api/v1/auth/confirm-email', { email: address, code: fresh });
      expect((await login(address, VICTIM_PW)).status).toBe(200);
    });
  });

  describe('item 3: password/reset does not tell accounts apart', () => {
    it('the policy is checked before any lookup, and unknown address, wrong code and no live code answer alike with the same hashing', async () => {
      const known = await verifiedUser();
      const unknown = email();
      const weak = await Promise.all([known, unknown].map((e) => api.post('/api/v1/auth/password/reset', { email: e, code: '123456', newPassword: 'short' })));
      expect(weak.map((r) => r.status)).toEqual([400, 400]);
      expect(errorShape(weak[0]!.body)).toEqual(errorShape(weak[1]!.body));
      expect(weak[0]!.body).toMatchObject({ error: { code: 'PASSWORD_POLICY' } });

      const hasher = t.app.get<LocalSecrets>(LOCAL_SECRETS).hasher;
      const hashes = jest.spyOn(hasher, 'hash');
      try {
        const answers: JsonAnswer[] = [];
        for (const e of [unknown, known]) {
          hashes.mockClear();
          answers.push(await api.post('/api/v1/auth/password/reset', { email: e, code: '123456', newPassword: 'a good new passphrase' }));
          expect(hashes).toHaveBeenCalledTimes(1);
        }
        // A live code, then a wrong guess at it.
        await api.post('/api/v1/auth/password/forgot', { email: known });
        const code = codeIn((await smtp.waitFor(known, (m) => /password reset/.test(m.subject))).text);
        answers.push(await api.post('/api/v1/auth/password/reset', { email: known, code: other(code), newPassword: 'a good new passphrase' }));
        for (const a of answers) expect([a.status, errorShape(a.body)]).toEqual([400, { error: { code: 'CODE_INVALID', message: 'The code is not valid' } }]);
      } finally {
        hashes.mockRestore();
      }
    });
  });

  describe('item 4: timing', () => {
    it('register, resend and forgot answer before the per-account work (audit rows, codes, mail) is done', async () => {
      const verified = await verifiedUser();
      const unverified = email();
      await register(unverified, VICTIM_PW);
      await nthCode(unverified, 1);
      const fresh = email();
      const runner = db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        // Every per-account path writes an audit row: while the table is locked against writes, that work cannot finish.
        await runner.query(`LOCK TABLE auth.user_events IN EXCLUSIVE MODE`);
        const calls: Array<[string, unknown]> = [
          ['/api/v1/auth/register', { email: fresh, password: VICTIM_PW }],
          ['/api/v1/auth/register', { email: verified, password: VICTIM_PW }],
          ['/api/v1/auth/resend-verification', { email: unverified }],
          ['/api/v1/auth/password/forgot', { email: verified }],
        ];
        for (const [path, body] of calls) {
          const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(3_000) });
          expect([path, res.status]).toEqual([path, 202]);
        }
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      // Released: the work completes and the mails go out.
      await smtp.waitFor(fresh, (m) => /verification/.test(m.subject));
      await smtp.waitFor(verified, (m) => /password reset/.test(m.subject));
    });

    it('forgot and register take comparable time for known and unknown addresses (ratio of medians)', async () => {
      const known = await verifiedUser();
      const times: Record<string, number[]> = { known: [], unknown: [] };
      for (let i = 0; i < 9; i++) {
        for (const [name, address] of [['known', known], ['unknown', email()]] as const) {
          const started = process.hrtime.bigint();
          expect((await api.post('/api/v1/auth/password/forgot', { email: address })).status).toBe(202);
          times[name]!.push(Number(process.hrtime.bigint() - started) / 1e6);
          await sleep(30);
        }
      }
      const ratio = median(times.known!) / median(times.unknown!);
      expect(ratio).toBeGreaterThan(0.33);
      expect(ratio).toBeLessThan(3);
    });

    it('confirm-email and login do the same database work for unknown addresses', async () => {
      const known = await verifiedUser();
      const repo = t.app.get(LocalAuthRepository);
      const attempts = jest.spyOn(repo, 'takeCodeAttemptWithinDay');
      const creds = jest.spyOn(repo, 'credentials');
      try {
        for (const address of [email(), known]) {
          attempts.mockClear();
          creds.mockClear();
          expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: '123456' })).status).toBe(400);
          expect(attempts).toHaveBeenCalledTimes(1);
          expect((await login(address, 'not the password')).status).toBe(401);
          expect(creds).toHaveBeenCalledTimes(1);
        }
      } finally {
        attempts.mockRestore();
        creds.mockRestore();
      }
    });
  });

  describe('item 5: register within the mail budget; verification attempts capped per day', () => {
    it('the 6th registration of one address in an hour answers 202 but sends no mail', async () => {
      const fresh = email();
      const known = await verifiedUser();
      // Each registration's detached work is let finish before the next: the most mail the sequence could cause.
      const background = t.app.get(DeferredWork);
      for (let i = 0; i < 6; i++) {
        expect((await register(fresh, VICTIM_PW)).status).toBe(202);
        expect((await register(known, VICTIM_PW)).status).toBe(202);
        await background.settled();
      }
      await quiet();
      expect(mails(fresh, /verification/)).toHaveLength(5);
      // The known address had its own verification mail from the same budget: 1 + 4.
      expect(mails(known, /verification/)).toHaveLength(1);
      expect(mails(known, /tried to sign up/)).toHaveLength(4);
    });

    it('the 21st wrong code of a day is refused, even the right one from a fresh mail', async () => {
      const address = email();
      await register(address, VICTIM_PW);
      let code = await nthCode(address, 1);
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 5; i++) expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: other(code) })).status).toBe(400);
        expect((await api.post('/api/v1/auth/resend-verification', { email: address })).status).toBe(202);
        code = await nthCode(address, round + 2);
      }
      const refused = await api.post('/api/v1/auth/confirm-email', { email: address, code });
      expect(refused.body).toMatchObject({ error: { code: 'CODE_INVALID' } });
      expect(await userRow(address)).toMatchObject({ status: 'pending_verification' });
    });
  });

  describe('item 6: no codes in subjects or logs', () => {
    it('subjects carry no code', async () => {
      const address = await verifiedUser();
      const verification = mails(address, /verification/)[0]!;
      expect(verification.subject).not.toContain(codeIn(verification.text));
      await api.post('/api/v1/auth/password/forgot', { email: address });
      const reset = await smtp.waitFor(address, (m) => /password reset/.test(m.subject));
      expect(reset.subject).not.toContain(codeIn(reset.text));
    });

    it('a failed send logs the kind, the user id and the SMTP cause; never the subject, a code or a link', async () => {
      const port = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      const lines: unknown[][] = [];
      const spies = (['error', 'warn', 'log'] as const).map((level) => jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void lines.push(args)));
      const dead = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, RATE_LIMIT_AUTH_PER_MINUTE: '100000' });
      try {
        const client = new JsonClient(dead.url);
        const address = email();
        expect((await client.post('/api/v1/auth/register', { email: address, password: VICTIM_PW })).status).toBe(202);
        const notSent = () => lines.find((l) => l.some((a) => typeof a === 'string' && /not sent/.test(a)));
        await waitFor(() => notSent() !== undefined, { timeoutMs: 5_000, intervalMs: 50, what: 'a "not sent" log line' });
        const line = notSent();
        expect(line).toBeDefined();
        const text = JSON.stringify(line);
        expect(text).toMatch(/verification/);
        expect(text).toMatch(/ECONNREFUSED/);
        expect(text).toContain(((await dead.app.get(DataSource).query(`SELECT id FROM auth.users WHERE email = $1`, [address])) as Array<{ id: string }>)[0]!.id);
        expect(text).not.toMatch(/\b\d{6}\b/);
        expect(text).not.toMatch(/code:|token=|Your Gatehouse/);
      } finally {
        await dead.close();
        for (const s of spies) s.mockRestore();
      }
    });
  });

  describe('item 8: lockout is per address and client; the owner is slowed, not locked out', () => {
    it("an attacker's failures from client A lock A only; the owner signs in from client B", async () => {
      const address = await verifiedUser();
      for (let i = 0; i < 3; i++) expect((await postFrom(t.url, '127.0.0.2', '/api/v1/auth/login', { email: address, password: 'guess number one' })).status).toBe(401);
      const lockedA = await postFrom(t.url, '127.0.0.2', '/api/v1/auth/login', { email: address, password: VICTIM_PW });
      expect(lockedA.status).toBe(429);
      expect(Number(lockedA.headers.get('retry-after'))).toBeGreaterThan(0);
      const owner = await postFrom(t.url, '127.0.0.3', '/api/v1/auth/login', { email: address, password: VICTIM_PW });
      expect(owner.status).toBe(200);
    });

    it('only failures count: successful sign-ins do not use up the budget', async () => {
      const address = await verifiedUser();
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 2; i++) expect((await postFrom(t.url, '127.0.0.4', '/api/v1/auth/login', { email: address, password: 'typo in password' })).status).toBe(401);
        expect((await postFrom(t.url, '127.0.0.4', '/api/v1/auth/login', { email: address, password: VICTIM_PW })).status).toBe(200);
      }
    });

    it('failures from many clients slow the address down (429, short Retry-After) and the owner gets in after the wait; the owner is told once', async () => {
      const address = await verifiedUser();
      smtp.clear();
      // Twice the per-client limit, spread over clients that each stay under it: the address slows down.
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < 2; i++) expect((await postFrom(t.url, `127.0.1.${c + 1}`, '/api/v1/auth/login', { email: address, password: 'spray attempt' })).status).toBe(401);
      }
      const slowed = await postFrom(t.url, '127.0.1.9', '/api/v1/auth/login', { email: address, password: VICTIM_PW });
      expect(slowed.status).toBe(429);
      const wait = Number(slowed.headers.get('retry-after'));
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(30);
      await sleep(wait * 1000 + 100);
      expect((await postFrom(t.url, '127.0.1.9', '/api/v1/auth/login', { email: address, password: VICTIM_PW })).status).toBe(200);
      // More failures in the same window: still one mail.
      await sleep(2_100);
      await postFrom(t.url, '127.0.1.10', '/api/v1/auth/login', { email: address, password: 'spray attempt' });
      await quiet();
      expect(mails(address, /sign-in attempts/)).toHaveLength(1);
    });
  });
});
