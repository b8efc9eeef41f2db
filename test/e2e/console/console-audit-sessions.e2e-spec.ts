import { readFileSync } from 'node:fs';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { announced } from '../../support/user-factory';
import { axeViolations, type ConsolePage, describeInBrowser, launch, openConsole, screenshot, signIn } from './console-browser';
import { account, type Account, PASSWORD, startConsoleApp, statusOf } from './console-fixtures';

const MARKUP = '<img src=x onerror="window.__xss=1">';

// A real browser on a shared machine: sign-in (argon2) and axe take seconds each.
jest.setTimeout(120_000);

async function screenIsClean(cp: ConsolePage, name: string): Promise<void> {
  await screenshot(cp.page, name);
  expect([name, await axeViolations(cp.page)]).toEqual([name, []]);
  expect([name, await cp.problems()]).toEqual([name, []]);
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();
const section = (page: Page, id: string) => page.locator(`section[aria-labelledby="section-${id}"]`);
/** Nothing typed by a user became markup: no <img> in the page, the onerror never ran. */
const noMarkupRan = async (page: Page) => expect([await page.locator('main img, dialog img').count(), await page.evaluate('window.__xss')]).toEqual([0, undefined]);

/** Issue #16 phase 2 in a real chromium, local provider: sessions, the audit tab and screen, the diagnosis. */
describeInBrowser('admin console: sessions, audit and diagnosis (local provider)', () => {
  let t: TestApp;
  let browser: Browser;
  let api: JsonClient;
  let admin: Account;
  let auditor: Account;
  let adminToken: string;

  beforeAll(async () => {
    t = await startConsoleApp({ LOGIN_MAX_ATTEMPTS: '3' });
    browser = await launch();
    api = new JsonClient(t.url);
    [admin, auditor] = await Promise.all([account(t, 'admin'), account(t, 'auditor')]);
    adminToken = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: admin.email, password: PASSWORD })).body.accessToken;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function as(who: Account): Promise<ConsolePage> {
    const cp = await openConsole(browser, t.url);
    await signIn(cp.page, who.email, PASSWORD);
    return cp;
  }

  /** A sign-in through the API from `device` (the user agent the session list shows). */
  const apiLogin = async (email: string, device: string) =>
    (await api.call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD }, headers: { 'user-agent': device } })).body.accessToken;

  it('ends one session from the user page: that session\'s access token is refused at once, the other lives; the device is shown as text', async () => {
    const u = await account(t, 'user', 'active', 'Sid Sessions');
    const doomed = await apiLogin(u.email, `${MARKUP}Doomed laptop`);
    const kept = await apiLogin(u.email, 'Kept phone');
    const cp = await as(admin);
    try {
      const { page } = cp;
      await page.goto(`/admin/#/users/${u.id}`);
      await heading(page, 'Sid Sessions');
      const sessions = section(page, 'sessions');
      await sessions.getByText('2 live sessions').waitFor();
      await sessions.getByText(`${MARKUP}Doomed laptop`).waitFor();
      await noMarkupRan(page);
      await screenIsClean(cp, 'user-sessions');

      await sessions.getByRole('button', { name: /End session .* on <img src=x onerror="window.__xss=1">Doomed laptop/ }).click();
      const dialog = page.getByRole('dialog', { name: 'End a session of Sid Sessions?' });
      await dialog.getByText(/Doomed laptop ends/).waitFor();
      await dialog.getByRole('button', { name: 'End session' }).click();
      await sessions.getByRole('status').filter({ hasText: 'Session ended for Sid Sessions.' }).waitFor();
      await sessions.getByText('1 live session').waitFor();
      expect(await sessions.getByText(/Doomed laptop/).count()).toBe(0);

      const refused = await api.get<{ error: { code: string } }>('/api/v1/users/me', doomed);
      expect([refused.status, refused.body.error?.code]).toEqual([401, 'AUTH_TOKEN_REVOKED']);
      expect((await api.get('/api/v1/users/me', kept)).status).toBe(200);
      expect(await cp.problems()).toEqual([]);

      // End all: the dialog names the user; afterwards the kept session's token is refused too.
      await sessions.getByRole('button', { name: 'End all sessions' }).click();
      await page.getByRole('dialog', { name: 'End every session of Sid Sessions?' }).getByRole('button', { name: 'End all sessions' }).click();
      await sessions.getByRole('status').filter({ hasText: 'Every session of Sid Sessions ended.' }).waitFor();
      expect((await api.get('/api/v1/users/me', kept)).status).toBe(401);
    } finally {
      await cp.close();
    }
  });

  it("an admin's own page marks the console's cookie session as this console, and offers no End all sessions (the API refuses it on oneself)", async () => {
    const cp = await as(admin);
    try {
      const { page } = cp;
      await page.goto(`/admin/#/users/${admin.id}`);
      await heading(page, admin.email);
      const sessions = section(page, 'sessions');
      await sessions.locator('table').waitFor();
      expect(await sessions.getByRole('row').filter({ hasText: '(this console)' }).count()).toBe(1);
      expect(await sessions.getByRole('button', { name: 'End all sessions' }).count()).toBe(0);
    } finally {
      await cp.close();
    }
  });

  it('the diagnosis names the lockout with its fix and a factor only Gatehouse records as drift; Reconcile fixes the drift (audited)', async () => {
    const u = await account(t, 'user', 'active', 'Dee Drift');
    await announced(t.app.get(EventEmitter2), async () => {
      await t.app.get(DataSource).query(`UPDATE auth.users SET mfa_method = 'totp' WHERE id = $1`, [u.id]);
      return u.id;
    });
    for (let i = 0; i < 3; i++) expect((await api.post('/api/v1/auth/login', { email: u.email, password: 'wrong passphrase 9' })).status).toBe(401);
    const cp = await as(admin);
    try {
      const { page } = cp;
      await page.goto(`/admin/#/users/${u.id}`);
      await heading(page, 'Dee Drift');
      const diag = section(page, 'diagnosis');
      await diag.getByTestId('diagnosis-verdict').filter({ hasText: 'Dee Drift cannot sign in.' }).waitFor();
      await diag.locator('[data-finding="LOGIN_LOCKED"]').getByText(/Fix: An administrator: set a new password/).waitFor();
      await diag.locator('[data-finding="MFA_MISSING_AT_PROVIDER"]').getByText('Fix: Reconcile: reconcile').waitFor();
      await screenIsClean(cp, 'user-diagnosis');

      await diag.getByRole('button', { name: 'Reconcile' }).click();
      const dialog = page.getByRole('dialog', { name: 'Reconcile Dee Drift?' });
      await dialog.getByText(/MFA_MISSING_AT_PROVIDER/).waitFor();
      await dialog.getByRole('button', { name: 'Reconcile' }).click();
      await page.locator('#announcer').filter({ hasText: 'Reconciled: MFA_MISSING_AT_PROVIDER.' }).waitFor();
      // The page is redrawn from the new state: the drift is gone, the user is back at the MFA step.
      await section(page, 'diagnosis').getByText('They agree.').waitFor();
      expect(await statusOf(t, u.id)).toBe('pending_mfa');
      expect(await page.getByTestId('user-status').textContent()).toBe('pending mfa');
      await section(page, 'audit').locator('td', { hasText: 'admin.reconciled' }).first().waitFor();
      expect(await cp.problems()).toEqual([]);
    } finally {
      await cp.close();
    }
  });

  it('the Audit screen: filters in the URL, reasons as text, Verify chain says ok, both exports download under the CSP', async () => {
    const u = await account(t, 'user', 'active', 'Ava Audited');
    const reason = `${MARKUP} suspended for the audit test`;
    expect((await api.post(`/api/v1/admin/users/${u.id}/suspend`, { reason }, adminToken)).status).toBe(200);
    const cp = await as(admin);
    try {
      const { page } = cp;
      await page.goto('/admin/#/audit');
      await heading(page, 'Audit trail');
      await page.getByLabel('Target user id').fill(u.id);
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(new RegExp(`#/audit\\?target=${u.id}$`));
      const rows = page.getByRole('region', { name: 'Audit rows' });
      await rows.getByText(reason).waitFor();
      await noMarkupRan(page);
      // Reload restores the filter.
      await page.reload();
      await heading(page, 'Audit trail');
      expect(await page.getByLabel('Target user id').inputValue()).toBe(u.id);
      await rows.getByText(reason).waitFor();
      await screenIsClean(cp, 'audit');

      await page.getByRole('button', { name: 'Verify chain' }).click();
      await page.getByTestId('verify-result').filter({ hasText: /^Chain intact: \d+ rows checked\./ }).waitFor();

      for (const [label, format] of [['Download CSV', 'csv'], ['Download NDJSON', 'ndjson']] as const) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: label }).click()]);
        expect(download.suggestedFilename()).toBe(`gatehouse-audit.${format}`);
        const text = readFileSync((await download.path())!, 'utf8');
        const lines = text.trim().split('\n');
        if (format === 'csv') expect(lines[0]).toMatch(/^id,seq,at,actor,/);
        // Only rows about the filtered user, the suspension among them.
        const body = format === 'csv' ? lines.slice(1) : lines;
        expect(body.length).toBeGreaterThan(0);
        expect(body.every((l) => l.includes(u.id))).toBe(true);
        expect(text).toContain('suspended for the audit test');
      }
      await screenIsClean(cp, 'audit-verified');
    } finally {
      await cp.close();
    }
  });

  it('an auditor reads sessions, diagnosis and audit but gets no End session, End all or Reconcile button', async () => {
    const u = await account(t, 'user', 'active', 'Rita Readonly');
    await apiLogin(u.email, 'Rita laptop');
    await announced(t.app.get(EventEmitter2), async () => {
      await t.app.get(DataSource).query(`UPDATE auth.users SET mfa_method = 'totp' WHERE id = $1`, [u.id]);
      return u.id;
    });
    const cp = await as(auditor);
    try {
      const { page } = cp;
      await page.goto(`/admin/#/users/${u.id}`);
      await heading(page, 'Rita Readonly');
      await section(page, 'sessions').getByText('Rita laptop').waitFor();
      await section(page, 'diagnosis').locator('[data-finding="MFA_MISSING_AT_PROVIDER"]').waitFor();
      await section(page, 'audit').locator('table').waitFor();
      expect(await page.getByRole('button', { name: /End session|End all sessions|Reconcile/ }).count()).toBe(0);
      await screenIsClean(cp, 'user-auditor');
      // The calls the admin's buttons make, forged from the auditor's page: the API refuses them and nothing changes.
      const sid = await section(page, 'sessions').locator('tr[data-session-id]').first().getAttribute('data-session-id');
      const forged = (await page.evaluate(`Promise.all([
        fetch('/api/v1/admin/users/${u.id}/sessions/${sid}', { method: 'DELETE' }),
        fetch('/api/v1/admin/users/${u.id}/reconcile', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      ]).then((rs) => Promise.all(rs.map(async (r) => [r.status, (await r.json()).error.code])))`)) as Array<[number, string]>;
      expect(forged).toEqual([[403, 'FORBIDDEN'], [403, 'FORBIDDEN']]);
      await page.reload();
      await section(page, 'sessions').getByText('Rita laptop').waitFor();
      await section(page, 'diagnosis').locator('[data-finding="MFA_MISSING_AT_PROVIDER"]').waitFor();
      await page.goto('/admin/#/audit');
      await heading(page, 'Audit trail');
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await page.getByTestId('verify-result').filter({ hasText: /^Chain intact/ }).waitFor();
    } finally {
      await cp.close();
    }
  });
});
