import { DataSource } from 'typeorm';
import type { Env } from '../../src/config/env-reader';
import { startTestApp, TestApp, TestAppOptions } from './app';
import { JsonClient } from './http';
import { SmtpCapture, startSmtpCapture } from './smtp-capture';

/** The app on the local provider with an SMTP capture as its mail server (codes are read from the mail sent). */
export interface LocalApp {
  smtp: SmtpCapture;
  t: TestApp;
  api: JsonClient;
  db: DataSource;
  /** Closes the app, then the SMTP capture. */
  close(): Promise<void>;
}

/**
 * Starts an SMTP capture, then the app with SMTP_URL pointing at it and `env` on top. If the app fails to start, the
 * capture is closed before the error is thrown, so a suite's afterAll needs only `close()` of what it got back.
 */
export async function startLocalApp(env: Env = {}, opts: TestAppOptions = {}): Promise<LocalApp> {
  const smtp = await startSmtpCapture();
  let t: TestApp;
  try {
    t = await startTestApp({ SMTP_URL: smtp.url, ...env }, opts);
  } catch (err) {
    await smtp.close();
    throw err;
  }
  const close = async (): Promise<void> => {
    try {
      await t.close();
    } finally {
      await smtp.close();
    }
  };
  return { smtp, t, api: new JsonClient(t.url), db: t.app.get(DataSource), close };
}
