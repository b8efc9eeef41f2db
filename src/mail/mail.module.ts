import { Logger, Module } from '@nestjs/common';
import { MAILER, Mailer } from './mailer';
const log = new Logger('Mail');
@Module({ providers: [{ provide: MAILER, useValue: { send: async (m: { to: string; subject: string; text: string }) => log.log(m) } satisfies Mailer }], exports: [MAILER] })
export class MailModule {}
