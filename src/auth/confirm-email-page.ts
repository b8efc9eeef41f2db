/**
 * The page behind a mailed verification link. Opening the link (GET, or a mail scanner's HEAD/GET) must never change
 * anything: the page only offers a button whose form POSTs the token to /auth/confirm-email-link. No script at all,
 * and a policy that allows none: the token sits in the page, and nothing but that one form may use it.
 */
export const CONFIRM_PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  // The token is in this page's URL: no Referer carries it anywhere.
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex',
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head>\n<body><h1>${escape(title)}</h1>\n${body}\n</body></html>\n`;
}

/** `action` is the absolute path of the POST route (same origin as this page). */
export function confirmEmailPage(action: string, token: string): string {
  return page(
    'Confirm your email address',
    [
      '<p>Press the button to confirm this address for your Gatehouse account.</p>',
      '<p>If you did not sign up, close this page: confirming would verify an account someone else started with your address.</p>',
      `<form method="post" action="${escape(action)}"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">Confirm</button></form>`,
    ].join('\n'),
  );
}

export function confirmEmailResultPage(ok: boolean): string {
  return ok
    ? page('Address confirmed', '<p>Your address is confirmed. You can close this page and sign in.</p>')
    : page('This link no longer works', '<p>It was used already or has expired. Ask for a new verification mail and use the newest one.</p>');
}

/**
 * Where a browser lands after confirming with the mailed link, when the deployment has a front end (FRONTEND_URL):
 * the front end, told the result in its query (`email_verified=true`, or `false` with the error `code`), so the
 * person continues in the product instead of on an API page. Pure; the controller answers 303 See Other to it.
 */
export function confirmLinkLanding(frontendUrl: string, result: { ok: true } | { ok: false; code: string }): string {
  const url = new URL(frontendUrl);
  url.searchParams.set('email_verified', String(result.ok));
  if (!result.ok) url.searchParams.set('error', result.code);
  return url.toString();
}

/**
 * A form post from a browser gets a page or a redirect; a client that asks for JSON alone (`Accept: application/json`,
 * no `text/html`) gets JSON like the JSON body does. A missing or `*\/*` Accept is a browser's or a plain form tool's.
 */
export function wantsJsonOnly(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((t) => t.split(';', 1)[0]!.trim().toLowerCase());
  return types.includes('application/json') && !types.includes('text/html');
}
