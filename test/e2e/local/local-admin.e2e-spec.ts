import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUTH_ADMIN_PORT, type AdminResult, type DirectoryUser } from '../../../src/auth/providers/admin-port';
import { LocalAdmin } from '../../../src/auth/providers/local/local-admin.service';
import { UsersService } from '../../../src/users/users.service';
import { startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { startSmtpCapture, SmtpCapture } from '../../support/smtp-capture';
import { totp } from '../../support/totp';
import { setStatus } from '../../support/users';

/**
 * The local provider's admin port (LocalAdmin) on a real Postgres, with every mail read from a real SMTP capture and
 * every effect checked through HTTP as a user would meet it: sign-in, /users/me, refresh, the MFA endpoints.
 */
describe('local provider: admin port', () => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: LocalAdmin;
  let n = 0;
  const PASSWORD = 'correct horse battery staple';
  const TEMP = 'temporary-pass-1';

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    t = await startTestApp({ SMTP_URL: smtp.url, RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '1000' });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
    admin = t.app.get(LocalAdmin);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const email = (prefix = 'adm') => `${prefix}${++n}.${Date.now()}@example.com`;
  const login = (address: string, password: string) => api.post<Record<string, string>>('/api/v1/auth/login', { email: address, password });
  const answer = (session: string, code: string) => api.post<Record<string, string>>('/api/v1/auth/mfa/challenge', { session, code });
  const me = (token: string) => api.get<Record<string, unknown>>('/api/v1/users/me', token);
  const tempPasswordIn = (text: string): string => /temporary password: (\S+)/.exec(text)?.[1] ?? fail(`no temporary password in: ${text}`);
  const codeIn = (text: string): string => /code is (\d{6})/.exec(text)?.[1] ?? fail(`no code in: ${text}`);
  const events = async (address: string) =>
    (await db.query(`SELECT e.type, e.actor FROM auth.user_events e JOIN auth.users u ON u.id = e.user_id WHERE u.email = $1 ORDER BY e.id`, [address])) as Array<{ type: string; actor: string }>;
  function fail(message: string): never {
    throw new Error(message);
  }
  function ok<T>(result: AdminResult<T>): T {
    if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
    return result.data;
  }
  /** An admin-made, verified user whose temporary password was replaced by PASSWORD through the challenge. */
  async function activeUser(address = email()): Promise<{ address: string; user: DirectoryUser; tokens: Record<string, string> }> {
    const user = ok(await admin.createUser({ email: address, temporaryPassword: TEMP, emailVerified: true, suppressInvite: true }));
    const first = await login(address, TEMP);
    const done = await answer(first.body.session!, PASSWORD);
    expect(done.status).toBe(200);
    return { address, user, tokens: done.body };
  }

  it('is bound as AUTH_ADMIN_PORT', () => {
    expect(t.app.get(AUTH_ADMIN_PORT)).toBe(admin);
  });

  it('create → invite mail → NEW_PASSWORD_REQUIRED → new password → tokens; the temporary password is dead', async () => {
    const address = email();
    const created = ok(await admin.createUser({ email: address, emailVerified: true, attributes: { name: 'Ada Lovelace', 'custom:organizationId': 'org-7' } }));
    expect(created).toMatchObject({ email: address, emailVerified: true, enabled: true, status: 'FORCE_CHANGE_PASSWORD', mfa: [] });
    expect(created.username).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.attributes).toEqual({ sub: created.username, email: address, name: 'Ada Lovelace', 'custom:organizationId': 'org-7' });

    const invite = await smtp.waitFor(address, (m) => /account is ready/.test(m.subject));
    expect(invite.text).toContain('choose a new one');
    const temp = tempPasswordIn(invite.text);
    expect(temp.length).toBeGreaterThanOrEqual(20);

    const first = await login(address, temp);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ challenge: 'NEW_PASSWORD_REQUIRED', session: expect.any(String) });
    // The policy holds here too, and the temporary password cannot simply be kept: the admin and the mail know it.
    expect((await answer(first.body.session!, 'short')).body).toMatchObject({ error: { code: 'PASSWORD_POLICY' } });
    expect((await answer(first.body.session!, temp)).body).toMatchObject({ error: { code: 'PASSWORD_POLICY' } });
    const done = await answer(first.body.session!, PASSWORD);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
    expect((await me(done.body.accessToken!)).body).toMatchObject({ email: address, fullName: 'Ada Lovelace', status: 'pending_approval', organizationId: 'org-7' });
    // Single use, like an MFA session.
    expect((await answer(first.body.session!, 'another new passphrase')).body).toMatchObject({ error: { code: 'MFA_SESSION_INVALID' } });

    expect((await login(address, temp)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    expect((await login(address, PASSWORD)).body).toMatchObject({ tokenType: 'Bearer' });
    expect(ok(await admin.getUser(address))).toMatchObject({ status: 'CONFIRMED', username: created.username });
    expect(ok(await admin.getUser(created.username))).toMatchObject({ email: address });
    expect(await events(address)).toEqual(
      expect.arrayContaining([
        { type: 'user.provisioned', actor: 'admin:port' },
        { type: 'admin.user_created', actor: 'admin:port' },
        { type: 'login.new_password_required', actor: 'provider:local' },
        { type: 'password.changed', actor: 'provider:local' },
      ]),
    );
  });

  it('a temporary password expires after 7 days: the same AUTH_FAILED as a wrong password, and a reset still gets in', async () => {
    const address = email();
    ok(await admin.createUser({ email: address, emailVerified: true, temporaryPassword: 'temporary pass 11', suppressInvite: true }));
    expect((await login(address, 'temporary pass 11')).body).toMatchObject({ challenge: 'NEW_PASSWORD_REQUIRED' });
    await db.query(
      `UPDATE auth.local_credentials c SET password_changed_at = now() - interval '8 days' FROM auth.users u WHERE u.id = c.user_id AND u.email = $1`,
      [address],
    );
    expect((await login(address, 'temporary pass 11')).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    await api.post('/api/v1/auth/password/forgot', { email: address });
    const code = codeIn((await smtp.waitFor(address, (m) => /password reset code/.test(m.subject))).text);
    expect((await api.post('/api/v1/auth/password/reset', { email: address, code, newPassword: 'my own passphrase 12' })).status).toBe(200);
    expect((await login(address, 'my own passphrase 12')).body).toMatchObject({ tokenType: 'Bearer' });
  });

  it('an unverified address gets the invite and a verification code, and must confirm before signing in', async () => {
    const address = email();
    expect(ok(await admin.createUser({ email: address, temporaryPassword: TEMP }))).toMatchObject({ status: 'FORCE_CHANGE_PASSWORD', emailVerified: false });
    const invite = await smtp.waitFor(address, (m) => /account is ready/.test(m.subject));
    expect(invite.text).toContain('First confirm your address');
    expect(tempPasswordIn(invite.text)).toBe(TEMP);
    // Unverified: refused exactly like a wrong password, as for self sign-up.
    expect((await login(address, TEMP)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    const code = codeIn((await smtp.waitFor(address, (m) => /verification code/.test(m.subject))).text);
    expect((await api.post('/api/v1/auth/confirm-email', { email: address, code })).body).toEqual({ status: 'verified' });
    expect((await login(address, TEMP)).body).toMatchObject({ challenge: 'NEW_PASSWORD_REQUIRED' });
    expect(ok(await admin.getUser(address))).toMatchObject({ emailVerified: true, status: 'FORCE_CHANGE_PASSWORD' });
  });

  it('refuses an existing address (whatever its case or origin), a weak password and bad input', async () => {
    const { address } = await activeUser();
    expect(await admin.createUser({ email: address.toUpperCase(), temporaryPassword: TEMP })).toMatchObject({ ok: false, reason: 'already_exists' });
    const selfMade = email();
    expect((await api.post('/api/v1/auth/register', { email: selfMade, password: PASSWORD })).status).toBe(202);
    // The account is made after the 202 (timing): its verification mail says it exists.
    await smtp.waitFor(selfMade);
    expect(await admin.createUser({ email: selfMade, temporaryPassword: TEMP })).toMatchObject({ ok: false, reason: 'already_exists' });
    // Two concurrent creations of one address: exactly one wins, the other is already_exists (the unique key decides).
    const racing = email();
    const both = await Promise.all([1, 2].map(() => admin.createUser({ email: racing, temporaryPassword: TEMP, suppressInvite: true })));
    expect(both.map((r) => (r.ok ? 'ok' : r.reason)).sort()).toEqual(['already_exists', 'ok']);

    expect(await admin.createUser({ email: email(), temporaryPassword: 'short', suppressInvite: true })).toMatchObject({ ok: false, reason: 'password_policy' });
    const same = email();
    expect(await admin.createUser({ email: same, temporaryPassword: same, suppressInvite: true })).toMatchObject({ ok: false, reason: 'password_policy' });
    expect(await admin.createUser({ email: 'not-an-address', temporaryPassword: TEMP })).toMatchObject({ ok: false, reason: 'invalid_input' });
    expect(await admin.createUser({ email: email(), temporaryPassword: TEMP, attributes: { 'custom:role': 'admin' } })).toMatchObject({ ok: false, reason: 'invalid_input' });
  });

  it('disable: the live access token and refresh token stop working and sign-in is refused; enable lets the user back in', async () => {
    const { address, user, tokens } = await activeUser();
    expect((await me(tokens.accessToken!)).status).toBe(200);
    expect(await admin.disableUser(user.username)).toEqual({ ok: true, data: undefined });
    // At once, on this instance: it does not wait for its own change notice (read your own writes).
    expect([401, 403]).toContain((await me(tokens.accessToken!)).status);
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    const refused = await login(address, PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'USER_DISABLED' } });
    expect(ok(await admin.getUser(address))).toMatchObject({ enabled: false });
    expect(await admin.disableUser(address)).toEqual({ ok: true, data: undefined });

    expect(await admin.enableUser(address)).toEqual({ ok: true, data: undefined });
    expect(await admin.enableUser(address)).toEqual({ ok: true, data: undefined });
    expect(ok(await admin.getUser(address))).toMatchObject({ enabled: true });
    const back = await login(address, PASSWORD);
    expect(back.status).toBe(200);
    expect((await me(back.body.accessToken!)).status).toBe(200);
    // Enabling does not bring old tokens back: the watermark set when disabling still stands.
    expect((await me(tokens.accessToken!)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    expect(await events(address)).toEqual(expect.arrayContaining([{ type: 'status.disabled', actor: 'admin:port' }, { type: 'status.enabled', actor: 'admin:port' }]));
  });

  it('enable refuses a suspended user instead of undoing the suspension', async () => {
    const { address } = await activeUser();
    await setStatus(db, ((await db.query(`SELECT id FROM auth.users WHERE email = $1`, [address])) as Array<{ id: string }>)[0]!.id, 'suspended');
    expect(await admin.enableUser(address)).toMatchObject({ ok: false, reason: 'invalid_input' });
  });

  it('setPassword: permanent signs in directly, temporary asks for a new one; either way earlier tokens die', async () => {
    const { address, tokens } = await activeUser();
    expect(await admin.setPassword(address, 'admin chosen pass 1', true)).toEqual({ ok: true, data: undefined });
    expect((await me(tokens.accessToken!)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await login(address, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    expect((await login(address, 'admin chosen pass 1')).body).toMatchObject({ tokenType: 'Bearer' });

    expect(await admin.setPassword(address, 'admin temporary 2', false)).toEqual({ ok: true, data: undefined });
    expect(ok(await admin.getUser(address))).toMatchObject({ status: 'FORCE_CHANGE_PASSWORD' });
    const challenged = await login(address, 'admin temporary 2');
    expect(challenged.body).toMatchObject({ challenge: 'NEW_PASSWORD_REQUIRED' });
    expect((await answer(challenged.body.session!, 'user chosen pass 3')).body).toMatchObject({ tokenType: 'Bearer' });

    // A session opened before an admin changed the password again is dead (the watermark), whatever it was for.
    await admin.setPassword(address, 'admin temporary 4', false);
    const stale = await login(address, 'admin temporary 4');
    await new Promise((r) => setTimeout(r, 5));
    await admin.setPassword(address, 'admin temporary 5', false);
    expect((await answer(stale.body.session!, 'user chosen pass 6')).body).toMatchObject({ error: { code: 'MFA_SESSION_INVALID' } });

    expect(await admin.setPassword(address, 'short', true)).toMatchObject({ ok: false, reason: 'password_policy' });
    expect(await admin.setPassword(address, address, true)).toMatchObject({ ok: false, reason: 'password_policy' });
  });

  it('with TOTP on, the second factor comes before NEW_PASSWORD_REQUIRED, and each session answers only its own step', async () => {
    const { address, tokens } = await activeUser();
    const secret = (await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, tokens.accessToken)).body.secret;
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(secret) }, tokens.accessToken)).status).toBe(200);
    expect(ok(await admin.getUser(address))).toMatchObject({ mfa: ['totp'], preferredMfa: 'totp' });
    await admin.setPassword(address, 'admin temporary 7', false);

    // Knowing the temporary password alone does not allow choosing a new one.
    const first = await login(address, 'admin temporary 7');
    expect(first.body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
    // An MFA session takes no password: the new-password step cannot be reached through it.
    expect((await answer(first.body.session!, 'user chosen pass 9')).body).toMatchObject({ error: { code: 'MFA_CODE_INVALID' } });
    const next = await answer(first.body.session!, totp(secret, Date.now() + 30_000));
    expect(next.body).toEqual({ challenge: 'NEW_PASSWORD_REQUIRED', session: expect.any(String) });
    // The TOTP session is spent.
    expect((await answer(first.body.session!, totp(secret, Date.now() + 30_000))).body).toMatchObject({ error: { code: 'MFA_SESSION_INVALID' } });
    const done = await answer(next.body.session!, 'user chosen pass 8');
    expect(done.body).toMatchObject({ tokenType: 'Bearer' });
    expect((await login(address, 'user chosen pass 8')).body).toMatchObject({ challenge: 'SOFTWARE_TOKEN_MFA' });
    expect((await login(address, 'admin temporary 7')).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
  });

  it('resetPassword mails a reset code, kills every token and the current password', async () => {
    const { address, tokens } = await activeUser();
    expect(await admin.resetPassword(address)).toEqual({ ok: true, data: undefined });
    const code = codeIn((await smtp.waitFor(address, (m) => /password reset code/.test(m.subject))).text);
    expect((await me(tokens.accessToken!)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await login(address, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });

    expect((await api.post('/api/v1/auth/password/reset', { email: address, code, newPassword: 'after the reset 10' })).status).toBe(200);
    expect((await login(address, 'after the reset 10')).body).toMatchObject({ tokenType: 'Bearer' });
    expect(await events(address)).toEqual(expect.arrayContaining([{ type: 'admin.password_reset', actor: 'admin:port' }, { type: 'tokens.revoked', actor: 'admin:port' }]));

    // A user who got a temporary password can take the reset route instead: the flag goes with the old password.
    await admin.setPassword(address, 'admin temporary 11', false);
    await admin.resetPassword(address);
    const second = codeIn((await smtp.waitFor(address, (m) => /password reset code/.test(m.subject) && !m.text.includes(code))).text);
    expect((await api.post('/api/v1/auth/password/reset', { email: address, code: second, newPassword: 'after the reset 12' })).status).toBe(200);
    expect((await login(address, 'after the reset 12')).body).toMatchObject({ tokenType: 'Bearer' });

    await admin.disableUser(address);
    expect(await admin.resetPassword(address)).toMatchObject({ ok: false, reason: 'invalid_input' });
  });

  it('lists in pages without duplicates or gaps, filters by email prefix case-insensitively', async () => {
    const prefix = `page${Date.now()}x`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(ok(await admin.createUser({ email: `${prefix}${i}@example.com`, temporaryPassword: TEMP, suppressInvite: true })).username);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = ok(await admin.listUsers({ limit: 2, filter: prefix.toUpperCase(), cursor }));
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((u) => u.username));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made);

    // Cognito's filter syntax works as well; the default page is 20, the largest 60.
    expect(ok(await admin.listUsers({ filter: `email ^= "${prefix}3"` })).users.map((u) => u.username)).toEqual([made[3]]);
    expect(ok(await admin.listUsers()).users.length).toBeLessThanOrEqual(20);
    expect(await admin.listUsers({ cursor: 'garbage' })).toMatchObject({ ok: false, reason: 'invalid_input' });
  });

  it('a filter is a prefix, never a pattern: "%" and "_" match only themselves', async () => {
    await activeUser();
    expect(ok(await admin.listUsers({ filter: '%' })).users).toEqual([]);
    expect(ok(await admin.listUsers({ filter: '_' })).users).toEqual([]);
    // Why the escaping matters: the same text used unescaped as a LIKE pattern matches every user.
    const unescaped = (await db.query(`SELECT count(*)::int AS n FROM auth.users WHERE email::text ILIKE '%' || '%'`)) as Array<{ n: number }>;
    expect(unescaped[0]!.n).toBeGreaterThan(0);
  });

  it('groups map to the role, visible at /users/me; leaving the role’s group falls back to user', async () => {
    const { address, tokens } = await activeUser();
    const role = async (expected: string) => expect((await me(tokens.accessToken!)).body).toMatchObject({ role: expected });
    await role('user');
    expect(await admin.addToGroup(address, 'Auditors')).toEqual({ ok: true, data: undefined });
    await role('auditor');
    expect(await admin.addToGroup(address, 'admin')).toEqual({ ok: true, data: undefined });
    await role('admin');
    expect(await admin.removeFromGroup(address, 'Auditors')).toEqual({ ok: true, data: undefined });
    await role('admin');
    expect(await admin.removeFromGroup(address, 'Admins')).toEqual({ ok: true, data: undefined });
    await role('user');
    expect(await admin.addToGroup(address, 'NoSuchGroup')).toMatchObject({ ok: false, reason: 'invalid_input' });
    expect(await admin.removeFromGroup(address, 'NoSuchGroup')).toMatchObject({ ok: false, reason: 'invalid_input' });
    expect(await events(address)).toEqual(expect.arrayContaining([{ type: 'admin.group_added', actor: 'admin:port' }, { type: 'admin.group_removed', actor: 'admin:port' }]));
  });

  it('requireMfa: DELETE /auth/mfa is then refused, and so is switching TOTP off through the port', async () => {
    const { address, tokens } = await activeUser();
    expect(await admin.setMfaPreference(address, { totp: { enabled: true } })).toMatchObject({ ok: false, reason: 'mfa_not_enrolled' });
    // Not enrolled yet: the flag is set all the same, and the answer says no challenge will happen until enrolment.
    expect(await admin.requireMfa(address)).toMatchObject({ ok: false, reason: 'mfa_not_enrolled' });
    expect((await me(tokens.accessToken!)).body).toMatchObject({ mfaRequired: true });

    const secret = (await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, tokens.accessToken)).body.secret;
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(secret) }, tokens.accessToken)).status).toBe(200);
    expect(await admin.requireMfa(address)).toEqual({ ok: true, data: undefined });
    const refused = await api.call('DELETE', '/api/v1/auth/mfa', { token: tokens.accessToken });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'MFA_REQUIRED_BY_ADMIN' } });
    expect(await admin.setMfaPreference(address, { totp: { enabled: false } })).toMatchObject({ ok: false, reason: 'forbidden' });
    expect((await login(address, PASSWORD)).body).toMatchObject({ challenge: 'SOFTWARE_TOKEN_MFA' });
    expect(await admin.setMfaPreference(address, { sms: { enabled: true } })).toMatchObject({ ok: false, reason: 'not_supported' });
  });

  it('setMfaPreference switches TOTP off when MFA is not required', async () => {
    const { address, tokens } = await activeUser();
    const secret = (await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, tokens.accessToken)).body.secret;
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(secret) }, tokens.accessToken)).status).toBe(200);
    expect(await admin.setMfaPreference(address, { totp: { enabled: true, preferred: true } })).toEqual({ ok: true, data: undefined });
    expect(await admin.setMfaPreference(address, { totp: { enabled: false } })).toEqual({ ok: true, data: undefined });
    expect((await login(address, PASSWORD)).body).toMatchObject({ tokenType: 'Bearer' });
    expect(ok(await admin.getUser(address))).toMatchObject({ mfa: [] });
  });

  it('updateAttributes: name and organization; a new address is unverified until confirmed; others are refused', async () => {
    const { address, user } = await activeUser();
    expect(await admin.updateAttributes(user.username, { fullName: 'Grace Hopper', 'custom:organizationId': 'org-9' })).toEqual({ ok: true, data: undefined });
    expect(ok(await admin.getUser(user.username)).attributes).toMatchObject({ name: 'Grace Hopper', 'custom:organizationId': 'org-9' });
    expect(await admin.updateAttributes(user.username, { 'custom:role': 'admin' })).toMatchObject({ ok: false, reason: 'invalid_input' });
    expect(await admin.updateAttributes(user.username, { sub: randomUUID() })).toMatchObject({ ok: false, reason: 'invalid_input' });
    const taken = (await activeUser()).address;
    expect(await admin.updateAttributes(user.username, { email: taken })).toMatchObject({ ok: false, reason: 'already_exists' });

    const moved = email('moved');
    expect(await admin.updateAttributes(user.username, { email: moved })).toEqual({ ok: true, data: undefined });
    expect(ok(await admin.getUser(user.username))).toMatchObject({ email: moved, emailVerified: false, status: 'UNCONFIRMED' });
    expect((await login(address, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    expect((await login(moved, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    const code = codeIn((await smtp.waitFor(moved, (m) => /verification code/.test(m.subject))).text);
    expect((await api.post('/api/v1/auth/confirm-email', { email: moved, code })).body).toEqual({ status: 'verified' });
    expect((await login(moved, PASSWORD)).body).toMatchObject({ tokenType: 'Bearer' });
  });

  it('deleteUser removes the user and its local rows, keeps the audit trail, and its tokens stop working', async () => {
    const { address, user, tokens } = await activeUser();
    const id = ((await db.query(`SELECT id FROM auth.users WHERE email = $1`, [address])) as Array<{ id: string }>)[0]!.id;
    expect(await admin.deleteUser(user.username)).toEqual({ ok: true, data: undefined });
    expect(await admin.getUser(user.username)).toMatchObject({ ok: false, reason: 'not_found' });
    expect((await me(tokens.accessToken!)).status).toBe(401);
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect(await db.query(`SELECT 1 FROM auth.local_credentials WHERE user_id = $1`, [id])).toEqual([]);
    const trail = (await db.query(`SELECT type, actor FROM auth.user_events WHERE user_id = $1 ORDER BY id`, [id])) as Array<{ type: string; actor: string }>;
    expect(trail[trail.length - 1]).toEqual({ type: 'admin.user_deleted', actor: 'admin:port' });
    expect(await admin.deleteUser(user.username)).toMatchObject({ ok: false, reason: 'not_found' });
  });

  it('describes the directory; there is no app client to describe', async () => {
    const dir = ok(await admin.describeDirectory());
    expect(dir).toEqual({ id: 'local', name: 'Gatehouse local users', mfa: 'optional', usernameAttributes: ['email'], passwordPolicy: { minLength: 8 }, estimatedUsers: expect.any(Number) });
    await activeUser();
    expect(ok(await admin.describeDirectory()).estimatedUsers).toBe(dir.estimatedUsers! + 1);
    expect(await admin.describeClient()).toMatchObject({ ok: false, reason: 'not_supported' });
  });

  it('an unknown username is not_found everywhere, and so is a user of another issuer', async () => {
    const foreign = email('foreign');
    await t.app.get(UsersService).provision({
      issuer: 'https://other-issuer.example',
      subject: randomUUID(),
      authProvider: 'oidc',
      email: foreign,
      emailVerified: true,
      fullName: null,
      role: 'user',
      organizationId: null,
    });
    for (const name of [randomUUID(), email('nobody'), 'not-a-uuid', foreign]) {
      const answers = await Promise.all([
        admin.getUser(name),
        admin.deleteUser(name),
        admin.enableUser(name),
        admin.disableUser(name),
        admin.resetPassword(name),
        admin.setPassword(name, PASSWORD, true),
        admin.updateAttributes(name, { name: 'x' }),
        admin.setMfaPreference(name, { totp: { enabled: false } }),
        admin.requireMfa(name),
        admin.addToGroup(name, 'admin'),
        admin.removeFromGroup(name, 'admin'),
      ]);
      for (const a of answers) expect(a).toMatchObject({ ok: false, reason: 'not_found' });
    }
    expect(ok(await admin.listUsers({ filter: 'foreign' })).users.map((u) => u.email)).not.toContain(foreign);
  });
});
