import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONSOLE_ASSETS_DIR } from '../../../src/admin/console/console-assets';
import type { TestApp } from '../../support/app';
import { account, type Account, PASSWORD, startConsoleApp, statusOf } from './console-fixtures';

const ISSUE_CSP = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'connect-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
};

const directives = (csp: string | null): Record<string, string[]> =>
  Object.fromEntries((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const cookieOf = (res: Response): string | undefined => res.headers.getSetCookie().find((c) => c.startsWith('gatehouse_session='));

/** Issue #16: how /admin is served, and the cookie sign-in it uses. No browser needed here. */
describe('admin console: serving, CSP, assets and the cookie sign-in', () => {
  let t: TestApp;
  let admin: Account;
  let pending: Account;

  beforeAll(async () => {
    t = await startConsoleApp();
    [admin, pending] = await Promise.all([account(t, 'admin'), account(t, 'user', 'pending_approval')]);
  });
  afterAll(() => t?.close());

  const login = (origin: string | undefined, email = admin.email) =>
    fetch(`${t.url}/api/v1/auth/session/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
      body: JSON.stringify({ email, password: PASSWORD }),
    });

  it('GET /admin redirects to /admin/, which is the page, under exactly the strict console CSP', async () => {
    const redirect = await fetch(`${t.url}/admin`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, '/admin/']);
    const page = await fetch(`${t.url}/admin/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(directives(page.headers.get('content-security-policy'))).toEqual(ISSUE_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/admin/js/main.js"></script>');
  });

  it('serves every asset with the console CSP and a JavaScript or CSS type; the API keeps its own policy', async () => {
    for (const file of files(CONSOLE_ASSETS_DIR)) {
      const path = `/admin/${relative(CONSOLE_ASSETS_DIR, file)}`;
      const res = await fetch(`${t.url}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect(directives(res.headers.get('content-security-policy'))).toEqual(ISSUE_CSP);
      if (path.endsWith('.js')) expect(res.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
      if (path.endsWith('.css')) expect(res.headers.get('content-type')).toMatch(/^text\/css/);
      expect(await res.text()).toBe(readFileSync(file, 'utf8'));
    }
    const api = await fetch(`${t.url}/api/v1/auth/status`);
    expect(directives(api.headers.get('content-security-policy'))).toEqual({ 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"] });
  });

  it('an unknown or escaping path is a 404 in the error shape, never a file from elsewhere', async () => {
    for (const path of ['/admin/nope.js', '/admin/js/../../../../package.json', '/admin/%2e%2e/console-assets.ts', '/administrator']) {
      const res = await fetch(`${t.url}${path}`, { redirect: 'manual' });
      expect([path, res.status]).toEqual([path, 404]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });

  it('the served assets contain no external URL, no HTML sink, no storage and no secret', () => {
    const secrets = [t.config.auth.local.privateKeyPem, t.config.auth.hosted.sessionSecret].filter((s): s is string => typeof s === 'string' && s.length > 8);
    for (const file of files(CONSOLE_ASSETS_DIR)) {
      const text = readFileSync(file, 'utf8');
      const name = relative(CONSOLE_ASSETS_DIR, file);
      expect([name, text.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi)]).toEqual([name, null]);
      expect([name, text.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|localStorage|sessionStorage|style=/g)]).toEqual([name, null]);
      expect([name, text.match(/BEGIN [A-Z ]*PRIVATE KEY|eyJ[\w-]{10,}|AKIA[A-Z0-9]{12}|sk_(live|test)_/g)]).toEqual([name, null]);
      for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    }
  });

  it('cookie sign-in: an HTTP-only SameSite=Lax session cookie, and no token in the answer', async () => {
    const res = await login(new URL(t.url).origin);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ signedIn: true });
    const cookie = cookieOf(res)!;
    expect(cookie).toMatch(/^gatehouse_session=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    const status = await fetch(`${t.url}/api/v1/auth/status`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(await status.json()).toMatchObject({ authenticated: true, via: 'cookie', role: 'admin', userId: admin.id });
  });

  it('cookie sign-in refuses a missing or foreign Origin (login CSRF) and sets nothing', async () => {
    for (const origin of [undefined, 'http://evil.test', 'http://127.0.0.1:1']) {
      const res = await login(origin);
      expect([origin, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([origin, 403, 'ORIGIN_NOT_ALLOWED']);
      expect(cookieOf(res)).toBeUndefined();
    }
  });

  it('a wrong password is the usual 401 and sets no cookie', async () => {
    const res = await fetch(`${t.url}/api/v1/auth/session/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(t.url).origin },
      body: JSON.stringify({ email: admin.email, password: 'not the password' }),
    });
    expect(res.status).toBe(401);
    expect(cookieOf(res)).toBeUndefined();
  });

  it('a cookie session is listed honestly (current) and signing out ends its refresh family: it leaves the session list', async () => {
    const origin = new URL(t.url).origin;
    const user = await account(t, 'user', 'active');
    const a = cookieOf(await login(origin, user.email))!.split(';')[0]!;
    const b = cookieOf(await login(origin, user.email))!.split(';')[0]!;
    type Listed = { sessions: Array<{ id: string; current: boolean }> };
    const list = async (cookie: string) => ((await (await fetch(`${t.url}/api/v1/auth/sessions`, { headers: { cookie } })).json()) as Listed).sessions;
    const before = await list(a);
    expect(before.map((x) => x.current).sort()).toEqual([false, true]);
    const logout = await fetch(`${t.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie: a, origin, 'content-type': 'application/json' }, body: '{}' });
    expect(logout.status).toBe(200);
    const after = await list(b);
    expect(after).toEqual([expect.objectContaining({ current: true })]);
    expect(after[0]!.id).not.toBe(before.find((x) => x.current)!.id);
  });

  it("a forged cross-origin POST riding the admin's cookie is refused and changes nothing; the console's own origin passes", async () => {
    const cookie = cookieOf(await login(new URL(t.url).origin))!.split(';')[0]!;
    const approve = (origin: string) =>
      fetch(`${t.url}/api/v1/admin/users/${pending.id}/approve`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json' }, body: '{}' });
    const forged = await approve('http://localhost:1');
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(await statusOf(t, pending.id)).toBe('pending_approval');
    const own = await approve(new URL(t.url).origin);
    expect(own.status).toBe(200);
    expect(await statusOf(t, pending.id)).not.toBe('pending_approval');
  });
});
