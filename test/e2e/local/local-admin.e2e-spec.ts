import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountAdministration } from '../../../src/auth/admin/account-administration.service';
import { AUTH_ADMIN_PORT, type DirectoryUser } from '../../../src/auth/providers/admin-port';
import { LocalAdmin } from '../../../src/auth/providers/local/local-admin.service';
import { UsersService } from '../../../src/users/users.service';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { LocalApp, startLocalApp } from '../../support/local-app';
import { SmtpCapture } from '../../support/smtp-capture';
import { totp } from '../../support/totp';
import { setStatus } from '../../support/user-factory';

/**
 * The local provider's admin port (LocalAdmin) on a real Postgres, with every mail read from a real SMTP capture and
 * every effect checked through HTTP as a user would meet it: sign-in, /users/me, refresh, the MFA endpoints.
 */
describe('local provider: admin port', () => {
  let fixture: LocalApp;
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let admin: LocalAdmin;
  let accounts: AccountAdministration;
  /** The acting admin: every audit row written for an admin action names them. */
  const ACTOR = { userId: randomUUID(), requestId: 'req-admin-1' };
  const BY = `admin:${ACTOR.userId}`;
  let n = 0;
  const PASSWORD = 'correct horse battery staple';
  const TEMP = 'temporary-pass-1';

  beforeAll(async () => {
    fixture = await startLocalApp(RELAXED_AUTH_LIMITS);
    ({ smtp, t, api, db } = fixture);
    admin = t.app.get(LocalAdmin);
    accounts = t.app.get(AccountAdministration);
  });
  afterAll(() => fixture?.close());

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
  const idOf = async (address: string): Promise<string> =>
    ((await db.query(`SELECT id FROM auth.users WHERE email = $1`, [address])) as Array<{ id: string }>)[0]?.id ?? fail(`no user ${address}`);
  /** An admin-made, verified user whose temporary password was replaced by PASSWORD through the challenge. */
  async function activeUser(address = email()): Promise<{ address: string; user: DirectoryUser & { userId: string }; tokens: Record<string, string> }> {
    const user = (await accounts.createUser({ email: address, temporaryPassword: TEMP, emailVerified: true, suppressInvite: true }, ACTOR));
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
    const created = (await accounts.createUser({ email: address, emailVerified: true, attributes: { name: 'Ada Lovelace', 'custom:organizationId': 'org-7' } }, ACTOR));
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
    expect((await admin.getUser(await idOf(address)))).toMatchObject({ status: 'CONFIRMED', username: created.username });
    expect((await admin.getUser(created.userId))).toMatchObject({ email: address });
    expect(await events(address)).toEqual(
      expect.arrayContaining([
        { type: 'user.provisioned', actor: BY },
        { type: 'admin.user_created', actor: BY },
        { type: 'login.new_password_required', actor: 'provider:local' },
        { type: 'password.changed', actor: 'provider:local' },
      ]),
    );
  });

  it('a temporary password expires after 7 days: the same AUTH_FAILED as a wrong password, and a reset still gets in', async () => {
    const address = email();
    (await accounts.createUser({ email: address, emailVerified: true, temporaryPassword: 'temporary pass 11', suppressInvite: true }, ACTOR));
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
    expect((await accounts.createUser({ email: address, temporaryPassword: TEMP }, ACTOR))).toMatchObject({ status: 'FORCE_CHANGE_PASSWORD', emailVerified: false });
    const invite = await smtp.waitFor(address, (m) => /account is ready/.test(m.subject));
    expect(invite.text).toContain('First confirm your address');
    expect(tempPasswordIn(invite.text)).toBe(TEMP);
    // Unverified: refused exactly like a wrong password, as for self sign-up.
    expect((await login(address, TEMP)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    const code = codeIn((await smtp.waitFor(address, (m) => /verification code/.test(m.subject))).text);
    expect((await api.post('/api/v1/auth/confirm-email', { email: address, code })).body).toEqual({ status: 'verified' });
    expect((await login(address, TEMP)).body).toMatchObject({ challenge: 'NEW_PASSWORD_REQUIRED' });
    expect((await admin.getUser(await idOf(address)))).toMatchObject({ emailVerified: true, status: 'FORCE_CHANGE_PASSWORD' });
  });

  it('refuses an existing address (whatever its case or origin), a weak password and bad input', async () => {
    const { address } = await activeUser();
    await expect(accounts.createUser({ email: address.toUpperCase(), temporaryPassword: TEMP }, ACTOR)).rejects.toMatchObject({ code: 'EMAIL_IN_USE' });
    const selfMade = email();
    expect((await api.post('/api/v1/auth/register', { email: selfMade, password: PASSWORD })).status).toBe(202);
    // The account is made after the 202 (timing): its verification mail says it exists.
    await smtp.waitFor(selfMade);
    await expect(accounts.createUser({ email: selfMade, temporaryPassword: TEMP }, ACTOR)).rejects.toMatchObject({ code: 'EMAIL_IN_USE' });
    // Two concurrent creations of one address: exactly one wins, the other is already_exists (the unique key decides).
    const racing = email();
    const both = await Promise.allSettled([1, 2].map(() => accounts.createUser({ email: racing, temporaryPassword: TEMP, suppressInvite: true }, ACTOR)));
    expect(both.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code)).sort()).toEqual(['EMAIL_IN_USE', 'ok']);

    await expect(accounts.createUser({ email: email(), temporaryPassword: 'short', suppressInvite: true }, ACTOR)).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    const same = email();
    await expect(accounts.createUser({ email: same, temporaryPassword: same, suppressInvite: true }, ACTOR)).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    await expect(accounts.createUser({ email: 'not-an-address', temporaryPassword: TEMP }, ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(accounts.createUser({ email: email(), temporaryPassword: TEMP, attributes: { 'custom:role': 'admin' } }, ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('disable: the live access token and refresh token stop working and sign-in is refused; enable lets the user back in', async () => {
    const { address, user, tokens } = await activeUser();
    expect((await me(tokens.accessToken!)).status).toBe(200);
    await accounts.disable(user.userId, ACTOR);
    // At once, on this instance: it does not wait for its own change notice (read your own writes).
    expect([401, 403]).toContain((await me(tokens.accessToken!)).status);
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    const refused = await login(address, PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'USER_DISABLED' } });
    expect((await admin.getUser(await idOf(address)))).toMatchObject({ enabled: false });
    await accounts.disable(await idOf(address), ACTOR);

    await accounts.enable(await idOf(address), ACTOR);
    await accounts.enable(await idOf(address), ACTOR);
    expect((await admin.getUser(await idOf(address)))).toMatchObject({ enabled: true });
    const back = await login(address, PASSWORD);
    expect(back.status).toBe(200);
    expect((await me(back.body.accessToken!)).status).toBe(200);
    // Enabling does not bring old tokens back: the watermark set when disabling still stands.
    expect((await me(tokens.accessToken!)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    expect(await events(address)).toEqual(expect.arrayContaining([{ type: 'status.disabled', actor: BY }, { type: 'status.enabled', actor: BY }]));
  });

  it('enable refuses a suspended user instead of undoing the suspension', async () => {
    const { address } = await activeUser();
    await setStatus(db, await idOf(address), 'suspended');
    await expect(accounts.enable(await idOf(address), ACTOR)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', extra: { status: 'suspended' } });
  });

  it('setPassword: permanent signs in directly, temporary asks for a new one; either way earlier tokens die', async () => {
    const { address, tokens } = await activeUser();
    await accounts.setPassword(await idOf(address), 'admin chosen pass 1', true, ACTOR);
    expect((await me(tokens.accessToken!)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await login(address, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    expect((await login(address, 'admin chosen pass 1')).body).toMatchObject({ tokenType: 'Bearer' });

    await accounts.setPassword(await idOf(address), 'admin temporary 2', false, ACTOR);
    expect((await admin.getUser(await idOf(address)))).toMatchObject({ status: 'FORCE_CHANGE_PASSWORD' });
    const challenged = await login(address, 'admin temporary 2');
    expect(challenged.body).toMatchObject({ challenge: 'NEW_PASSWORD_REQUIRED' });
    expect((await answer(challenged.body.session!, 'user chosen pass 3')).body).toMatchObject({ tokenType: 'Bearer' });

    // A session opened before an admin changed the password again is dead (the watermark), whatever it was for.
    await accounts.setPassword(await idOf(address), 'admin temporary 4', false, ACTOR);
    const stale = await login(address, 'admin temporary 4');
    await new Promise((r) => setTimeout(r, 5));
    await accounts.setPassword(await idOf(address), 'admin temporary 5', false, ACTOR);
    expect((await answer(stale.body.session!, 'user chosen pass 6')).body).toMatchObject({ error: { code: 'MFA_SESSION_INVALID' } });

    await expect(accounts.setPassword(await idOf(address), 'short', true, ACTOR)).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
    await expect(accounts.setPassword(await idOf(address), address, true, ACTOR)).rejects.toMatchObject({ code: 'PASSWORD_POLICY' });
  });

  it('with TOTP on, the second factor comes before NEW_PASSWORD_REQUIRED, and each session answers only its own step', async () => {
    const { address, tokens } = await activeUser();
    const secret = (await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, tokens.accessToken)).body.secret;
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(secret) }, tokens.accessToken)).status).toBe(200);
    expect((await admin.getUser(await idOf(address)))).toMatchObject({ mfa: ['totp'], preferredMfa: 'totp' });
    await accounts.setPassword(await idOf(address), 'admin temporary 7', false, ACTOR);

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
    await accounts.resetPassword(await idOf(address), ACTOR);
    const code = codeIn((await smtp.waitFor(address, (m) => /password reset code/.test(m.subject))).text);
    expect((await me(tokens.accessToken!)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await login(address, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });

    expect((await api.post('/api/v1/auth/password/reset', { email: address, code, newPassword: 'after the reset 10' })).status).toBe(200);
    expect((await login(address, 'after the reset 10')).body).toMatchObject({ tokenType: 'Bearer' });
    expect(await events(address)).toEqual(expect.arrayContaining([{ type: 'admin.password_reset', actor: BY }, { type: 'tokens.revoked', actor: BY }]));

    // A user who got a temporary password can take the reset route instead: the flag goes with the old password.
    await accounts.setPassword(await idOf(address), 'admin temporary 11', false, ACTOR);
    await accounts.resetPassword(await idOf(address), ACTOR);
    const second = codeIn((await smtp.waitFor(address, (m) => /password reset code/.test(m.subject) && !m.text.includes(code))).text);
    expect((await api.post('/api/v1/auth/password/reset', { email: address, code: second, newPassword: 'after the reset 12' })).status).toBe(200);
    expect((await login(address, 'after the reset 12')).body).toMatchObject({ tokenType: 'Bearer' });

    await accounts.disable(await idOf(address), ACTOR);
    await expect(accounts.resetPassword(await idOf(address), ACTOR)).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('lists in pages without duplicates or gaps, filters by email prefix case-insensitively', async () => {
    const prefix = `page${Date.now()}x`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await accounts.createUser({ email: `${prefix}${i}@example.com`, temporaryPassword: TEMP, suppressInvite: true }, ACTOR)).username);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = (await admin.listUsers({ limit: 2, filter: prefix.toUpperCase(), cursor }));
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((u) => u.username));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made);

    // Cognito's filter syntax works as well; the default page is 20, the largest 60.
    expect((await admin.listUsers({ filter: `email ^= "${prefix}3"` })).users.map((u) => u.username)).toEqual([made[3]]);
    expect((await admin.listUsers()).users.length).toBeLessThanOrEqual(20);
    await expect(admin.listUsers({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('a filter is a prefix, never a pattern: "%" and "_" match only themselves', async () => {
    await activeUser();
    expect((await admin.listUsers({ filter: '%' })).users).toEqual([]);
    expect((await admin.listUsers({ filter: '_' })).users).toEqual([]);
    // Why the escaping matters: the same text used unescaped as a LIKE pattern matches every user.
    const unescaped = (await db.query(`SELECT count(*)::int AS n FROM auth.users WHERE email::text ILIKE '%' || '%'`)) as Array<{ n: number }>;
    expect(unescaped[0]!.n).toBeGreaterThan(0);
  });

  it('groups map to the role, visible at /users/me; leaving the role’s group falls back to user', async () => {
    const { address, tokens } = await activeUser();
    const role = async (expected: string) => expect((await me(tokens.accessToken!)).body).toMatchObject({ role: expected });
    await role('user');
    await accounts.addToGroup(await idOf(address), 'Auditors', ACTOR);
    await role('auditor');
    await accounts.addToGroup(await idOf(address), 'admin', ACTOR);
    await role('admin');
    await accounts.removeFromGroup(await idOf(address), 'Auditors', ACTOR);
    await role('admin');
    await accounts.removeFromGroup(await idOf(address), 'Admins', ACTOR);
    await role('user');
    await expect(accounts.addToGroup(await idOf(address), 'NoSuchGroup', ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(accounts.removeFromGroup(await idOf(address), 'NoSuchGroup', ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await events(address)).toEqual(expect.arrayContaining([{ type: 'admin.group_added', actor: BY }, { type: 'admin.group_removed', actor: BY }]));
  });

  it('requireMfa: DELETE /auth/mfa is then refused, and so is switching TOTP off through the port', async () => {
    const { address, tokens } = await activeUser();
    await expect(accounts.setMfaPreference(await idOf(address), { totp: { enabled: true } }, ACTOR)).rejects.toMatchObject({ code: 'MFA_NOT_ENROLLED' });
    // Not enrolled yet: the flag is set all the same, and the answer says no challenge will happen until enrolment;
    // asked again once enrolled, nothing changes (already required) and the next sign-in is challenged.
    await expect(accounts.requireMfa(await idOf(address), ACTOR)).resolves.toEqual({ changed: true, enrolled: false, challenged: false });
    expect((await me(tokens.accessToken!)).body).toMatchObject({ mfaRequired: true });

    const secret = (await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, tokens.accessToken)).body.secret;
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(secret) }, tokens.accessToken)).status).toBe(200);
    await expect(accounts.requireMfa(await idOf(address), ACTOR)).resolves.toEqual({ changed: false, enrolled: true, challenged: true });
    const refused = await api.call('DELETE', '/api/v1/auth/mfa', { token: tokens.accessToken });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'MFA_REQUIRED_BY_ADMIN' } });
    await expect(accounts.setMfaPreference(await idOf(address), { totp: { enabled: false } }, ACTOR)).rejects.toMatchObject({ code: 'MFA_REQUIRED_BY_ADMIN' });
    expect((await login(address, PASSWORD)).body).toMatchObject({ challenge: 'SOFTWARE_TOKEN_MFA' });
    await expect(accounts.setMfaPreference(await idOf(address), { sms: { enabled: true } }, ACTOR)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });

  it('setMfaPreference switches TOTP off when MFA is not required', async () => {
    const { address, tokens } = await activeUser();
    const secret = (await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, tokens.accessToken)).body.secret;
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(secret) }, tokens.accessToken)).status).toBe(200);
    await accounts.setMfaPreference(await idOf(address), { totp: { enabled: true, preferred: true } }, ACTOR);
    await accounts.setMfaPreference(await idOf(address), { totp: { enabled: false } }, ACTOR);
    expect((await login(address, PASSWORD)).body).toMatchObject({ tokenType: 'Bearer' });
    expect((await admin.getUser(await idOf(address)))).toMatchObject({ mfa: [] });
  });

  it('updateAttributes: name and organization; a new address is unverified until confirmed; others are refused', async () => {
    const { address, user } = await activeUser();
    await accounts.updateAttributes(user.userId, { fullName: 'Grace Hopper', 'custom:organizationId': 'org-9' }, ACTOR);
    expect((await admin.getUser(user.userId)).attributes).toMatchObject({ name: 'Grace Hopper', 'custom:organizationId': 'org-9' });
    await expect(accounts.updateAttributes(user.userId, { 'custom:role': 'admin' }, ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(accounts.updateAttributes(user.userId, { sub: randomUUID() }, ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const taken = (await activeUser()).address;
    await expect(accounts.updateAttributes(user.userId, { email: taken }, ACTOR)).rejects.toMatchObject({ code: 'EMAIL_IN_USE' });

    const moved = email('moved');
    await accounts.updateAttributes(user.userId, { email: moved }, ACTOR);
    expect((await admin.getUser(user.userId))).toMatchObject({ email: moved, emailVerified: false, status: 'UNCONFIRMED' });
    expect((await login(address, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    expect((await login(moved, PASSWORD)).body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    const code = codeIn((await smtp.waitFor(moved, (m) => /verification code/.test(m.subject))).text);
    expect((await api.post('/api/v1/auth/confirm-email', { email: moved, code })).body).toEqual({ status: 'verified' });
    expect((await login(moved, PASSWORD)).body).toMatchObject({ tokenType: 'Bearer' });
  });

  it('deleteUser removes the user and its local rows, keeps the audit trail, and its tokens stop working', async () => {
    const { address, user, tokens } = await activeUser();
    const id = ((await db.query(`SELECT id FROM auth.users WHERE email = $1`, [address])) as Array<{ id: string }>)[0]!.id;
    await accounts.delete(user.userId, ACTOR);
    await expect(admin.getUser(user.userId)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect((await me(tokens.accessToken!)).status).toBe(401);
    expect((await api.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).body).toMatchObject({ error: { code: 'REFRESH_TOKEN_INVALID' } });
    expect(await db.query(`SELECT 1 FROM auth.local_credentials WHERE user_id = $1`, [id])).toEqual([]);
    const trail = (await db.query(`SELECT type, actor FROM auth.user_events WHERE user_id = $1 ORDER BY id`, [id])) as Array<{ type: string; actor: string }>;
    expect(trail[trail.length - 1]).toEqual({ type: 'admin.user_deleted', actor: BY });
    await expect(accounts.delete(user.userId, ACTOR)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('describes the directory; there is no app client to describe', async () => {
    const dir = (await admin.describeDirectory());
    expect(dir).toEqual({ id: 'local', name: 'Gatehouse local users', mfa: 'optional', usernameAttributes: ['email'], passwordPolicy: { minLength: 8 }, estimatedUsers: expect.any(Number) });
    await activeUser();
    expect((await admin.describeDirectory()).estimatedUsers).toBe(dir.estimatedUsers! + 1);
    await expect(admin.describeClient()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });

  it('an unknown username is not_found everywhere, and so is a user of another issuer', async () => {
    const foreign = email('foreign');
    const { user: foreignUser } = await t.app.get(UsersService).provision({
      issuer: 'https://other-issuer.example',
      subject: randomUUID(),
      authProvider: 'oidc',
      email: foreign,
      emailVerified: true,
      fullName: null,
      role: 'user',
      organizationId: null,
    });
    // Keys are Gatehouse user ids: an address, a stranger's id, garbage, or a user of another issuer are all unknown here.
    for (const id of [randomUUID(), email('nobody'), 'not-a-uuid', foreignUser.id]) {
      const answers = await Promise.allSettled([
        admin.getUser(id),
        admin.deleteUser(id),
        admin.enableUser(id),
        admin.disableUser(id),
        admin.signOutEverywhere(id),
        admin.resetPassword(id, ACTOR),
        admin.setPassword(id, PASSWORD, true),
        admin.updateAttributes(id, { name: 'x' }, ACTOR),
        admin.setMfaPreference(id, { totp: { enabled: false } }, ACTOR),
        admin.requireMfa(id),
        admin.addToGroup(id, 'admin'),
        admin.removeFromGroup(id, 'admin'),
      ]);
      for (const a of answers) expect(a).toMatchObject({ status: 'rejected', reason: { code: 'USER_NOT_FOUND', status: 404 } });
    }
    expect((await admin.listUsers({ filter: 'foreign' })).users.map((u) => u.email)).not.toContain(foreign);
  });
});
