import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { totp } from '../../support/totp';
import { announced } from '../../support/user-factory';
import { axeViolations, type ConsolePage, describeInBrowser, launch, openConsole, screenshot, signIn } from './console-browser';
import { account, type Account, PASSWORD, startConsoleApp, statusOf } from './console-fixtures';

const XSS_NAME = '<img src=x onerror="window.__xss=1">Mallory';

// A real browser on a shared machine: sign-in (argon2) and axe take seconds each.
jest.setTimeout(120_000);

/** The checks every screen must pass: axe finds nothing (WCAG 2.1 A/AA), no CSP violation, no script error. */
async function screenIsClean(cp: ConsolePage, name: string): Promise<void> {
  await screenshot(cp.page, name);
  expect([name, await axeViolations(cp.page)]).toEqual([name, []]);
  expect([name, await cp.problems()]).toEqual([name, []]);
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();

/** Issue #16 in a real chromium against the real app on Postgres, local provider. */
describeInBrowser('admin console in a browser (local provider)', () => {
  let t: TestApp;
  let browser: Browser;
  let admin: Account;
  /** An admin with TOTP, for the sign-in's second step (one sign-in per code: a code is single-use). */
  let mfaAdmin: Account;
  let adminSecret: string;
  let auditor: Account;

  beforeAll(async () => {
    t = await startConsoleApp();
    browser = await launch();
    [admin, mfaAdmin, auditor] = await Promise.all([account(t, 'admin'), account(t, 'admin'), account(t, 'auditor')]);
    const api = new JsonClient(t.url);
    const { accessToken } = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: mfaAdmin.email, password: PASSWORD })).body;
    adminSecret = (await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, accessToken)).body.secret;
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(adminSecret) }, accessToken)).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function asAdmin(viewport?: { width: number; height: number }): Promise<ConsolePage> {
    const cp = await openConsole(browser, t.url, { viewport });
    await signIn(cp.page, admin.email, PASSWORD);
    return cp;
  }

  it('signs in as admin with the password and the TOTP step; both pages are accessible and CSP-clean', async () => {
    const cp = await openConsole(browser, t.url);
    try {
      await heading(cp.page, 'Sign in to Gatehouse admin');
      await screenIsClean(cp, 'signin');
      await cp.page.getByLabel('Email').fill(mfaAdmin.email);
      await cp.page.getByLabel('Password').fill('wrong passphrase');
      await cp.page.getByRole('button', { name: 'Sign in' }).click();
      await cp.page.getByRole('alert').filter({ hasText: 'AUTH_FAILED' }).waitFor();
      await cp.page.getByLabel('Password').fill(PASSWORD);
      await cp.page.getByRole('button', { name: 'Sign in' }).click();
      await heading(cp.page, 'Second step');
      await screenIsClean(cp, 'signin-totp');
      // One step ahead: the enrolment used the current code, and a code is accepted once.
      await cp.page.getByLabel('Authenticator code').fill(totp(adminSecret, Date.now() + 30_000));
      await cp.page.getByRole('button', { name: 'Continue' }).click();
      await heading(cp.page, 'Approvals');
      expect(await cp.page.getByText('Signed in as admin').isVisible()).toBe(true);
      // The session is the HTTP-only cookie: nothing in storage, nothing a script can read.
      expect(await cp.page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]')).toEqual([0, 0, '']);
      const cookies = await cp.context.cookies();
      expect(cookies.filter((c) => c.name === 'gatehouse_session').map((c) => [c.httpOnly, c.sameSite])).toEqual([[true, 'Lax']]);
      await cp.page.getByRole('button', { name: 'Sign out' }).click();
      await heading(cp.page, 'Sign in to Gatehouse admin');
      expect((await cp.context.cookies()).filter((c) => c.name === 'gatehouse_session')).toEqual([]);
    } finally {
      await cp.close();
    }
  });

  it('a new admin still at pending_mfa (as users:create-admin makes one) enrols TOTP in the console, then gets in', async () => {
    const fresh = await account(t, 'admin', 'pending_mfa');
    // As the CLI makes it: approved and entitled, waiting only for its second factor.
    await announced(t.app.get(EventEmitter2), async () => {
      await t.app.get(DataSource).query(`UPDATE auth.users SET entitled = true, mfa_required = true WHERE id = $1`, [fresh.id]);
      return fresh.id;
    });
    const cp = await openConsole(browser, t.url);
    try {
      const { page } = cp;
      await signIn(page, fresh.email, PASSWORD);
      await heading(page, 'Set up a second factor');
      await screenIsClean(cp, 'enrol-mfa');
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await heading(page, 'Confirm your authenticator');
      const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
      await screenIsClean(cp, 'enrol-mfa-confirm');
      await page.getByLabel('Code from the app').fill(totp(secret));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await heading(page, 'Keep your recovery codes');
      expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'I have stored them: continue' }).click();
      await heading(page, 'Approvals');
      expect(await statusOf(t, fresh.id)).toBe('active');
    } finally {
      await cp.close();
    }
  });

  it('approves a pending user from the queue: the row leaves, the result is announced, the user page shows the new status', async () => {
    const older = await account(t, 'user', 'pending_approval', 'Olive Older');
    const newer = await account(t, 'user', 'pending_approval', 'Nina Newer');
    // Both wait longer than any user other suites leave in the shared queue (created now), so both are on its first page.
    await t.app.get(DataSource).query(`UPDATE auth.users SET created_at = created_at - interval '3 days', email_verified_at = now() - interval '3 days' WHERE id = $1`, [older.id]);
    await t.app.get(DataSource).query(`UPDATE auth.users SET created_at = created_at - interval '2 days', email_verified_at = now() - interval '2 days' WHERE id = $1`, [newer.id]);
    const cp = await asAdmin();
    try {
      const { page } = cp;
      const rows = page.locator('tbody tr');
      // The queue renders once its fetch answers, which can be after the sign-in is done: wait for it, then read it.
      await page.locator(`tr[data-user-id="${older.id}"]`).waitFor();
      const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user-id')));
      // Oldest first, with the age shown.
      expect(ids.indexOf(older.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(older.id)).toBeLessThan(ids.indexOf(newer.id));
      await expectText(page.locator(`tr[data-user-id="${older.id}"]`), /\d+ d \d+ h/);
      await screenIsClean(cp, 'approvals');

      // Keyboard: focus the Approve button and press Enter.
      await page.getByRole('button', { name: 'Approve Olive Older' }).focus();
      await page.keyboard.press('Enter');
      await page.locator(`tr[data-user-id="${older.id}"]`).waitFor({ state: 'detached' });
      await page.locator('#announcer').filter({ hasText: /Approved Olive Older: now pending mfa/ }).waitFor();
      expect(await statusOf(t, older.id)).toBe('pending_mfa');

      await page.goto(`/admin/#/users/${older.id}`);
      await heading(page, 'Olive Older');
      expect(await page.getByTestId('user-status').textContent()).toBe('pending mfa');
      await screenIsClean(cp, 'user');
    } finally {
      await cp.close();
    }
  });

  it('reject needs a reason: an empty one is refused in the dialog; with one the row leaves and the reason shows on the user page', async () => {
    const target = await account(t, 'user', 'pending_approval', 'Rita Rejected');
    const cp = await asAdmin();
    try {
      const { page } = cp;
      await page.getByRole('button', { name: 'Reject Rita Rejected' }).click();
      const dialog = page.getByRole('dialog', { name: 'Reject Rita Rejected?' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(target.email);
      await screenIsClean(cp, 'reject-dialog');
      await dialog.getByRole('button', { name: 'Reject' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'A reason is required.' }).waitFor();
      expect(await page.evaluate('document.activeElement.name')).toBe('reason');
      expect(await statusOf(t, target.id)).toBe('pending_approval');
      await dialog.getByLabel(/Reason/).fill('Not a member of the <b>organisation</b>');
      await dialog.getByRole('button', { name: 'Reject' }).click();
      await page.locator(`tr[data-user-id="${target.id}"]`).waitFor({ state: 'detached' });
      expect(await statusOf(t, target.id)).toBe('rejected');

      await page.goto(`/admin/#/users/${target.id}`);
      await heading(page, 'Rita Rejected');
      // The reason is shown verbatim as text (the markup in it is not parsed).
      await page.locator('main q').filter({ hasText: 'Not a member of the <b>organisation</b>' }).waitFor();
      expect(await page.locator('main b').count()).toBe(0);
    } finally {
      await cp.close();
    }
  });

  it('users: search and filters live in the URL, reload restores them, and the cursor pages through', async () => {
    const tag = `pager${Date.now()}`;
    for (const n of [1, 2, 3]) await account(t, 'user', 'active', `${tag} person ${n}`);
    const cp = await asAdmin();
    try {
      const { page } = cp;
      await page.getByRole('link', { name: 'Users' }).click();
      await heading(page, 'Users');
      await page.getByLabel('Search').fill(tag);
      await page.getByLabel('Status').selectOption('active');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.locator('main').getByText('3 users match.').waitFor();
      expect(new URL(page.url()).hash).toBe(`#/users?q=${tag}&status=active`);
      await screenIsClean(cp, 'users');

      await page.goto(`/admin/#/users?q=${tag}&status=active&limit=2`);
      await page.reload();
      await page.locator('main').getByText('3 users match; showing 2.').waitFor();
      expect(await page.getByLabel('Search').inputValue()).toBe(tag);
      expect(await page.getByLabel('Status').inputValue()).toBe('active');
      const first = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user-id')));
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.getByRole('link', { name: 'First page' }).waitFor();
      const second = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user-id')));
      expect(first).toHaveLength(2);
      expect(second).toHaveLength(1);
      expect(first).not.toContain(second[0]);
      expect(new URL(page.url()).hash).toMatch(/cursor=/);
      await page.reload();
      await page.getByRole('link', { name: 'First page' }).waitFor();
      expect(await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user-id')))).toEqual(second);
    } finally {
      await cp.close();
    }
  });

  it('a display name made of markup renders as text on every screen and runs nothing', async () => {
    const mallory = await account(t, 'user', 'pending_approval', XSS_NAME);
    const cp = await asAdmin();
    try {
      const { page } = cp;
      const noMarkup = async (where: string) => {
        expect([where, await page.locator('main img, dialog img').count(), await page.evaluate('window.__xss')]).toEqual([where, 0, undefined]);
        expect([where, await cp.problems()]).toEqual([where, []]);
      };
      await page.getByRole('link', { name: XSS_NAME }).waitFor();
      await noMarkup('approvals');
      await page.getByRole('button', { name: `Reject ${XSS_NAME}` }).click();
      await page.getByRole('heading', { name: `Reject ${XSS_NAME}?` }).waitFor();
      await noMarkup('reject dialog');
      await page.keyboard.press('Escape');
      await page.goto(`/admin/#/users?q=${encodeURIComponent(mallory.email)}`);
      await page.getByRole('link', { name: XSS_NAME }).waitFor();
      await noMarkup('users');
      await page.goto(`/admin/#/users/${mallory.id}`);
      await heading(page, XSS_NAME);
      await noMarkup('user page');
      await screenshot(page, 'xss-name');
    } finally {
      await cp.close();
    }
  });

  it('the user page offers only the actions the API allows, each behind a dialog naming the user; none for oneself', async () => {
    const active = await account(t, 'user', 'active', 'Sam Suspendable');
    const cp = await asAdmin();
    try {
      const { page } = cp;
      await page.goto(`/admin/#/users/${active.id}`);
      await heading(page, 'Sam Suspendable');
      const actions = async () => page.locator('[data-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));
      expect(await actions()).toEqual(['suspend', 'disable', 'require-mfa', 'reset-password', 'role', 'delete']);
      await page.getByRole('button', { name: 'Suspend' }).click();
      const dialog = page.getByRole('dialog', { name: 'Suspend: Sam Suspendable?' });
      await dialog.getByLabel(/Reason/).fill('Investigating a report');
      await dialog.getByRole('button', { name: 'Suspend' }).click();
      await page.locator('#announcer').filter({ hasText: 'Suspend: done for Sam Suspendable.' }).waitFor();
      // In the blocks section (the audit tab below shows the reason too).
      await page.locator('section[aria-labelledby="section-blocks"]').getByText('Investigating a report').waitFor();
      expect(await page.getByTestId('user-status').textContent()).toBe('suspended');
      expect(await actions()).toEqual(['reactivate', 'disable', 'require-mfa', 'reset-password', 'role', 'delete']);
      await screenIsClean(cp, 'user-suspended');

      await page.goto(`/admin/#/users/${admin.id}`);
      await heading(page, admin.email);
      expect(await actions()).toEqual(['require-mfa', 'reset-password']);
    } finally {
      await cp.close();
    }
  });

  it('the provider page (local) and the billing ledger are accessible and CSP-clean; Test connection draws its matrix', async () => {
    const cp = await asAdmin();
    try {
      const { page } = cp;
      await page.getByRole('link', { name: 'Provider' }).click();
      await heading(page, 'Provider: local');
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByRole('table', { name: /One row per check/ }).waitFor();
      await screenIsClean(cp, 'provider-local');
      await page.getByRole('link', { name: 'Billing' }).click();
      await heading(page, 'Billing events');
      await screenIsClean(cp, 'billing');
    } finally {
      await cp.close();
    }
  });

  it('at 200% zoom (a 640 px wide viewport) every screen reflows without page-wide horizontal scrolling', async () => {
    const cp = await asAdmin({ width: 640, height: 450 });
    try {
      const { page } = cp;
      for (const route of ['#/approvals', '#/users', `#/users/${admin.id}`, '#/audit', '#/provider', '#/billing']) {
        await page.goto(`/admin/${route}`);
        await page.locator('main h1').waitFor();
        await page.waitForLoadState('networkidle');
        expect([route, await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')]).toEqual([route, true]);
      }
      await screenshot(page, 'users-zoom-200');
      expect(await cp.problems()).toEqual([]);
    } finally {
      await cp.close();
    }
  });

  it('an auditor sees everything read-only (no action buttons), and a forged POST is refused', async () => {
    const pending = await account(t, 'user', 'pending_approval', 'Pat Pending');
    const cp = await openConsole(browser, t.url);
    try {
      const { page } = cp;
      await signIn(page, auditor.email, PASSWORD);
      await page.getByText('Signed in as auditor (read only)').waitFor();
      await page.locator(`tr[data-user-id="${pending.id}"]`).waitFor();
      expect(await page.locator('main button').count()).toBe(0);
      await screenIsClean(cp, 'approvals-auditor');
      await page.goto(`/admin/#/users/${pending.id}`);
      await heading(page, 'Pat Pending');
      expect(await page.locator('main button, [data-action]').count()).toBe(0);
      await page.goto('/admin/#/provider');
      await heading(page, /Provider/);
      expect(await page.getByRole('button', { name: 'Test connection' }).count()).toBe(0);
      // The same call the admin's button makes, forged from the auditor's page: the API refuses it.
      const forged = (await page.evaluate(`fetch('/api/v1/admin/users/${pending.id}/approve', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(async (r) => [r.status, (await r.json()).error.code])`)) as [number, string];
      expect(forged).toEqual([403, 'FORBIDDEN']);
      expect(await statusOf(t, pending.id)).toBe('pending_approval');
    } finally {
      await cp.close();
    }
  });

  it("a page on another origin cannot ride the admin's session cookie to approve anyone", async () => {
    const pending = await account(t, 'user', 'pending_approval', 'Fred Forged');
    const target = `${t.url}/api/v1/admin/users/${pending.id}/approve`;
    // The attacker's page: a self-submitting form (the classic CSRF) and a credentialed fetch, from another port.
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form id=f method=POST action="${target}"><input name=x value=1></form>
        <script>fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' }).finally(() => document.getElementById('f').submit());</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const cp = await asAdmin();
    try {
      const answers: number[] = [];
      cp.page.on('response', (r) => {
        if (r.url() === target) answers.push(r.status());
      });
      await cp.page.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
      await cp.page.waitForURL(target);
      expect(answers.length).toBeGreaterThanOrEqual(1);
      expect(answers.every((s) => s >= 400 && s < 500)).toBe(true);
      expect(await statusOf(t, pending.id)).toBe('pending_approval');
    } finally {
      await cp.close();
      evil.close();
    }
  });

  it('a signed-in user who is neither admin nor auditor gets a clear "not allowed" page', async () => {
    const plain = await account(t, 'user');
    const cp = await openConsole(browser, t.url);
    try {
      await signIn(cp.page, plain.email, PASSWORD);
      await heading(cp.page, 'Not allowed');
      expect(await cp.page.getByText('your role (user) may not use the admin console').isVisible()).toBe(true);
      expect(await cp.page.locator('#nav').isVisible()).toBe(false);
      await screenIsClean(cp, 'not-allowed');
    } finally {
      await cp.close();
    }
  });
});

async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp): Promise<void> {
  expect(await locator.textContent()).toMatch(pattern);
}
