import type { AppConfig } from '../../config/config.types';
import type { MailMessage } from '../../mail';

/** Tells an account's owner that someone is guessing its password (no code, no link to click but their own front end). */
export function loginAttackMail(config: AppConfig, to: string): MailMessage {
  return {
    to,
    subject: 'Repeated failed sign-in attempts on your account',
    text: [
      'Someone has been trying to sign in to your Gatehouse account with wrong passwords.',
      '',
      'The clients making those attempts are locked out and sign-in to your address is slowed down; you can still sign',
      'in yourself (at worst after a short wait). If you suspect your password is known to someone, reset it at',
      `${config.frontendUrl ?? config.publicUrl}.`,
      '',
      'You will get at most one such mail per attack window.',
    ].join('\n'),
  };
}
