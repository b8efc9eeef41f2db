// What other modules may use of `mail`: the module and the injected Mailer port.
export { MailModule } from './mail.module';
export { MAILER, type Mailer, type MailMessage } from './mailer';
