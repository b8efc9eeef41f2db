import { DataSource } from 'typeorm';
import { TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { LocalApp, startLocalApp } from '../../support/local-app';
import { SmtpCapture } from '../../support/smtp-capture';
import { waitFor } from '../../support/wait-for';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** Issue #12, "Walkthrough gaps": the mailed link ends on the front end with the result, not on an API answer. */
describe('the mailed confirmation link lands on the front end (FRONTEND_URL)', () => {
  let fixture: LocalApp;
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let n = 0;

  beforeAll(async () => {
    fixture = await startLocalApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000', FRONTEND_URL: 'http://app.example.test/welcome?from=mail' });
    ({ smtp, t, api } = fixture);
  });
  afterAll(() => fixture?.close());

  /** Registers a new address and answers the token of its mailed link. */
  async function linkToken(): Promise<{ address: string; token: string }> {
    const address = `landing${++n}.${Date.now()}@example.com`;
    expect((await api.call('POST', '/api/v1/auth/register', { body: { email: address, password: 'a long enough passphrase' } })).status).toBe(202);
    await waitFor(() => smtp.messages.some((m) => m.to.includes(address)), { timeoutMs: 3_000, what: `the verification mail to ${address}` });
    const text = smtp.messages.find((m) => m.to.includes(address))!.text;
    return { address, token: new URL(/(https?:\/\/\S+confirm-email\?token=\S+)/.exec(text)![1]!).searchParams.get('token')! };
  }

  const submitForm = (token: string, accept: string) =>
    fetch(`${t.url}/api/v1/auth/confirm-email-link`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
      body: `token=${encodeURIComponent(token)}`,
    });

  it("the link page's form redirects (303) to the front end with the result; a used link lands there with its error code", async () => {
    const { address, token } = await linkToken();
    const first = await submitForm(token, BROWSER_ACCEPT);
    expect([first.status, first.headers.get('location')]).toEqual([303, 'http://app.example.test/welcome?from=mail&email_verified=true']);
    const status = ((await t.app.get(DataSource).query('SELECT email_verified FROM auth.users WHERE email = $1', [address])) as Array<{ email_verified: boolean }>)[0];
    expect(status?.email_verified).toBe(true);

    const again = await submitForm(token, BROWSER_ACCEPT);
    expect([again.status, again.headers.get('location')]).toEqual([303, 'http://app.example.test/welcome?from=mail&email_verified=false&error=CODE_INVALID']);
  });

  it('an API client asking for JSON gets JSON, with a form body as with a JSON one', async () => {
    const { token } = await linkToken();
    const answer = await submitForm(token, 'application/json');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: 'verified' });
    const used = await submitForm(token, 'application/json');
    expect(used.status).toBe(400);
    expect(await used.json()).toMatchObject({ error: { code: 'CODE_INVALID' } });
  });
});
