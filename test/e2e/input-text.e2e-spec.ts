import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { JsonClient } from '../support/http';
import { startSmtpCapture, SmtpCapture } from '../support/smtp-capture';

const PASSWORD = 'correct horse battery staple';

/** Sends the JSON text exactly as written (JSON.stringify would escape a lone surrogate differently per case). */
async function postRaw(base: string, path: string, json: string): Promise<{ status: number; body: { error?: { code: string; fields?: Record<string, string[]> } } }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; fields?: Record<string, string[]> } } };
}

/** Free text and addresses at the edge (issue #9 items 9 and 13), through HTTP with real mail and Postgres. */
describe('free-text fields and addresses', () => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let n = 0;
  const email = () => `text${++n}.${Date.now()}@example.com`;
  const rowsFor = async (pattern: string) => (await db.query(`SELECT email FROM auth.users WHERE email LIKE $1 ORDER BY email`, [pattern])) as Array<{ email: string }>;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    t = await startTestApp({ SMTP_URL: smtp.url, RATE_LIMIT_AUTH_PER_MINUTE: '100000' });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const registerAndConfirm = async (address: string) => {
    expect((await api.post('/api/v1/auth/register', { email: address, password: PASSWORD })).status).toBe(202);
    const code = /code is (\d{6})/.exec((await smtp.waitFor(address.normalize('NFC').toLowerCase(), (m) => /verification code/.test(m.subject))).text)![1]!;
    expect((await api.post('/api/v1/auth/confirm-email', { email: address, code })).status).toBe(200);
  };

  describe('item 9: control characters and malformed Unicode are a 400 before any lookup', () => {
    it('a NUL in fullName is the same 400 VALIDATION_FAILED for a new and an existing address, and nothing is mailed or stored', async () => {
      const existing = email();
      await registerAndConfirm(existing);
      smtp.clear();
      const fresh = email();
      const answers = [];
      for (const address of [fresh, existing]) answers.push(await api.post('/api/v1/auth/register', { email: address, password: PASSWORD, fullName: 'Ada\u0000Lovelace' }));
      for (const a of answers) {
        expect(a.status).toBe(400);
        expect(a.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', fields: { fullName: [expect.stringMatching(/control characters/)] } } });
      }
      expect(await rowsFor(fresh)).toEqual([]);
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.messages).toEqual([]);
    });

    const bad: Array<[string, string]> = [
      ['NUL', '\\u0000'],
      ['escape', '\\u001b[31m'],
      ['C1 control', '\\u009b'],
      ['lone high surrogate', '\\ud800'],
      ['lone low surrogate', '\\udc00'],
    ];
    const cases: Array<[string, string, Record<string, string>]> = [
      ['/api/v1/auth/register', 'fullName', { email: 'a@example.com', password: PASSWORD, fullName: 'Ada' }],
      ['/api/v1/auth/register', 'password', { email: 'a@example.com', password: PASSWORD }],
      ['/api/v1/auth/login', 'password', { email: 'a@example.com', password: PASSWORD }],
      ['/api/v1/auth/mfa/challenge', 'session', { session: 'abc', code: '123456' }],
      ['/api/v1/auth/mfa/challenge', 'code', { session: 'abc', code: 'recovery' }],
      ['/api/v1/auth/refresh', 'refreshToken', { refreshToken: 'abcdef' }],
      ['/api/v1/auth/password/reset', 'newPassword', { email: 'a@example.com', code: '123456', newPassword: PASSWORD }],
      ['/api/v1/auth/password/forgot', 'email', { email: 'a@example.com' }],
      ['/api/v1/auth/resend-verification', 'email', { email: 'a@example.com' }],
      ['/api/v1/auth/confirm-email', 'email', { email: 'a@example.com', code: '123456' }],
      ['/api/v1/auth/login', 'email', { email: 'a@example.com', password: PASSWORD }],
    ];
    it.each(cases)('%s: a hostile %s is 400 VALIDATION_FAILED naming the field', async (path, field, body) => {
      for (const [, escape] of bad) {
        // Inserted into the JSON text as an escape, so the server decodes exactly that code unit.
        const json = JSON.stringify(body).replace(`"${field}":"${body[field]}`, `"${field}":"${body[field]!.slice(0, 1)}${escape}${body[field]!.slice(1)}`);
        const res = await postRaw(t.url, path, json);
        expect([escape, res.status, res.body.error?.code]).toEqual([escape, 400, 'VALIDATION_FAILED']);
        expect(Object.keys(res.body.error?.fields ?? {})).toContain(field);
      }
    });
  });

  describe('item 13: one mailbox is one account', () => {
    it('a quoted local part is refused (it reaches the unquoted mailbox)', async () => {
      const res = await api.post('/api/v1/auth/register', { email: '"ada"@example.com', password: PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', fields: { email: ['email must not have a quoted local part'] } } });
      expect(await rowsFor('%"ada"%')).toEqual([]);
    });

    it.each([['zero-width space', '\u200b'], ['BOM', '\ufeff'], ['soft hyphen', '\u00ad'], ['right-to-left override', '\u202e']])(
      'an address with a %s inside is refused',
      async (_name, ch) => {
        const res = await api.post('/api/v1/auth/register', { email: `ad${ch}a.${Date.now()}@example.com`, password: PASSWORD });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', fields: { email: ['email contains invisible characters'] } } });
      },
    );

    it('NFC and NFD spellings (and any case) are one account: one row, and either spelling signs in', async () => {
      const stamp = Date.now();
      const nfc = `andr\u00e9.${stamp}@example.com`;
      const nfd = `ANDRE\u0301.${stamp}@example.com`;
      await registerAndConfirm(nfc);
      expect((await api.post('/api/v1/auth/register', { email: nfd, password: PASSWORD })).status).toBe(202);
      const rows = await db.query(`SELECT email FROM auth.users WHERE email IN ($1, $2, $3)`, [nfc, nfd, nfd.toLowerCase()]);
      expect(rows).toEqual([{ email: nfc }]);
      expect((await api.post('/api/v1/auth/login', { email: nfd, password: PASSWORD })).status).toBe(200);
    });

    it('+tags and dots do not fold: they are distinct addresses (README says so)', async () => {
      const stamp = Date.now();
      await registerAndConfirm(`ada.${stamp}@example.com`);
      await registerAndConfirm(`ada.${stamp}+news@example.com`);
      expect((await rowsFor(`ada.${stamp}%`)).map((r) => r.email)).toEqual([`ada.${stamp}+news@example.com`, `ada.${stamp}@example.com`]);
    });
  });
});
