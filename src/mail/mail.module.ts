import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { createMailer, MAILER, Mailer } from './mailer';

/** Outgoing mail: SMTP through nodemailer, or the log in development without SMTP_URL. */
@Module({
  providers: [{ provide: MAILER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createMailer(config) }],
  exports: [MAILER],
})
export class MailModule implements OnApplicationShutdown {
  constructor(@Inject(MAILER) private readonly mailer: Mailer) {}

  onApplicationShutdown(): void {
    this.mailer.close();
  }
}
