import { Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { ServiceUnavailableError } from '../common/errors/app-error';
import type { AppConfig } from '../config/config.types';

/** Injection token for the Mailer. */
export const MAILER = Symbol('MAILER');

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Sends one message; rejects with MAIL_UNAVAILABLE (503) when the relay cannot take it (the cause is logged only). */
  send(msg: MailMessage): Promise<void>;
  close(): void;
}

/** Through SMTP_URL with nodemailer; short timeouts, so a dead relay costs seconds, not minutes. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = createTransport({
      url: smtpUrl,
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 10_000,
      // Gatehouse mails one person at a time and never attaches files or URLs: a `to` smuggling a second address
      // ("a@x, b@y") is refused instead of sent to both.
      maxRecipients: 1,
      disableFileAccess: true,
      disableUrlAccess: true,
    } as Parameters<typeof createTransport>[0]);
  }

  async send(msg: MailMessage): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html });
    } catch (err) {
      throw new ServiceUnavailableError('MAIL_UNAVAILABLE', 'Mail cannot be sent right now; try again later', err instanceof Error ? err.message : String(err));
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * Development without SMTP: the mail goes to the log, so a developer running `npm start` can read the code there.
 * Never used in production with the local provider (start-up refuses).
 */
export class LogMailer implements Mailer {
  private readonly log = new Logger('Mail');

  /** `withBody` only outside production: codes and links must not end up in production logs. */
  constructor(private readonly withBody = true) {}

  async send(msg: MailMessage): Promise<void> {
    if (this.withBody) this.log.log({ to: msg.to, subject: msg.subject, text: msg.text }, `mail to ${msg.to}: "${msg.subject}"`);
    else this.log.warn({ to: msg.to, subject: msg.subject }, 'SMTP_URL is unset: mail not sent');
  }

  close(): void {}
}

export function createMailer(config: AppConfig): Mailer {
  if (config.smtpUrl) return new SmtpMailer(config.smtpUrl, config.mailFrom);
  // The local provider mails codes people need: printing them to a production log would be both a leak and a dead end.
  if (config.isProduction && config.auth.provider === 'local') throw new Error('SMTP_URL is required when NODE_ENV=production with the local provider');
  return new LogMailer(!config.isProduction);
}
