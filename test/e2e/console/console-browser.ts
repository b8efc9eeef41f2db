import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT } from '../../support/built';

/**
 * The console's browser tests drive Debian's chromium (no browser download) through playwright-core. `.ci/run`
 * installs it with apt; where it is missing the browser suites skip with one line saying so.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Screenshots of each screen: a test artifact, git-ignored. */
export const SHOTS = join(ROOT, 'test-artifacts', 'console');

let warned = false;
/** `describe` when chromium is installed, else a skipped block and one clear line. */
export function describeInBrowser(name: string, fn: () => void): void {
  if (HAS_CHROMIUM) return describe(name, fn);
  if (!warned) {
    warned = true;
    // eslint-disable-next-line no-console -- the one line that says why the browser tests did not run
    console.warn(`console browser tests SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  }
  describe.skip(name, fn);
}

/** Headless chromium with the network switches off (the machine's network is closed); playwright gives it a fresh profile. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** CSP violations the page reported (securitypolicyviolation events) and any script error. */
  problems(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A fresh browser context (its own cookie jar) on the console. Every document gets a listener for
 * `securitypolicyviolation` before any of the page's own scripts run; uncaught errors are kept too.
 */
export async function openConsole(browser: Browser, baseUrl: string, opts: { viewport?: { width: number; height: number } } = {}): Promise<ConsolePage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: opts.viewport ?? { width: 1280, height: 900 } });
  // A string: this runs in the page (DOM types), not in the test's Node context.
  await context.addInitScript({
    content: `window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));`,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  await page.goto('/admin');
  return {
    context,
    page,
    problems: async () => [...errors, ...((await page.evaluate('window.__violations || []')) as string[])],
    close: () => context.close(),
  };
}

/** axe-core against WCAG 2.0/2.1 A and AA; answers the violations as short lines (rule, impact, first targets). */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact ?? '?'}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the console's own form (and its TOTP step when `totp` gives a code). */
export async function signIn(page: Page, email: string, password: string, totp?: () => string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (totp) {
    await page.getByLabel('Authenticator code').fill(totp());
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  // Signed in, or the form's alert says why not (fail with that text rather than a bare timeout).
  const refused = page.locator('main [role="alert"]:not(:empty)');
  await page.getByRole('button', { name: 'Sign out' }).or(refused).first().waitFor();
  if (await refused.count()) throw new Error(`sign-in refused: ${await refused.first().textContent()}`);
}
