import { createServer } from 'node:net';
import { createMailer, LogMailer, SmtpMailer } from '../../src/mail/mailer';
import { loadConfig } from '../../src/config/load-config';
import { testConfig } from '../support/app';
import { startSmtpCapture, SmtpCapture } from '../support/smtp-capture';

describe('mail through a real SMTP server', () => {
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(() => smtp.close());

  it('delivers subject, text and html intact, non-ASCII and long lines included', async () => {
    const mailer = createMailer(testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Gatehouse <gate@example.com>' }));
    expect(mailer).toBeInstanceOf(SmtpMailer);
    const long = `Grüße — ✓ ${'a long line of text '.repeat(15)}end`;
    await mailer.send({ to: 'Someone@Example.com', subject: 'Grüße — ✓ code 123456', text: `${long}\nsecond line`, html: `<p>${long}</p>` });
    const m = await smtp.waitFor('someone@example.com');
    expect(m.subject).toBe('Grüße — ✓ code 123456');
    expect(m.text).toBe(`${long}\nsecond line`);
    expect(m.html).toBe(`<p>${long}</p>`);
    expect(m.from).toBe('gate@example.com');
    mailer.close();
  });

  it('an unreachable relay is MAIL_UNAVAILABLE (503) with no relay text in the message', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const mailer = createMailer(testConfig({ SMTP_URL: `smtp://127.0.0.1:${port}` }));
    const err = await mailer.send({ to: 'a@example.com', subject: 's', text: 't' }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAIL_UNAVAILABLE', status: 503, message: 'Mail cannot be sent right now; try again later' });
    expect((err as { detail?: string }).detail).toMatch(/ECONNREFUSED/);
    mailer.close();
  });

  it('without SMTP_URL, development writes mail to the log; production with the local provider refuses to start', () => {
    expect(createMailer(testConfig({}))).toBeInstanceOf(LogMailer);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://gh.example', DATABASE_URL: 'postgres://x@db/x', LOCAL_JWT_PRIVATE_KEY: 'x', DATA_ENCRYPTION_KEY: 'x' }),
    ).toThrow(/SMTP_URL is required when NODE_ENV=production with the local provider/);
  });
});

describe('mail hardening', () => {
  it('a recipient list smuggled into `to` is refused, not sent to both', async () => {
    const smtp = await startSmtpCapture();
    try {
      const mailer = createMailer(testConfig({ SMTP_URL: smtp.url }));
      await expect(mailer.send({ to: 'a@example.com, b@example.com', subject: 's', text: 't' })).rejects.toMatchObject({ code: 'MAIL_UNAVAILABLE' });
      expect(smtp.messages).toEqual([]);
      mailer.close();
    } finally {
      await smtp.close();
    }
  });
});
