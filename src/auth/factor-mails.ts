import type { AppConfig } from '../config/config.types';
import type { OutgoingMail } from './providers/local/mail-templates';

/** What happened to the user's second factor; the mail names the kind of change only, never a secret or a code. */
export type FactorChange = 'enabled' | 'replaced' | 'removed' | 'recovery_codes_regenerated' | 'mfa_locked';

const WHAT: Record<FactorChange, string> = {
  enabled: 'Two-factor authentication was turned on for your Gatehouse account.',
  replaced: 'The authenticator app of your Gatehouse account was replaced by a new one.',
  removed: 'Two-factor authentication was turned off for your Gatehouse account.',
  recovery_codes_regenerated: 'New recovery codes were made for your Gatehouse account; the old ones no longer work.',
  mfa_locked: 'Too many wrong two-factor codes were entered for your Gatehouse account: sign-in is paused for a while.',
};

/**
 * The notice for a change to the second factor. Every other session was signed out by the change (except for the lock
 * notice), so a thief holding one is cut off, and the owner learns of a change they did not make.
 */
export function factorChangeMail(config: AppConfig, to: string, change: FactorChange): OutgoingMail {
  const where = config.frontendUrl ?? config.publicUrl;
  return {
    to,
    kind: 'factor_change',
    subject: change === 'mfa_locked' ? 'Gatehouse: two-factor sign-in paused' : 'Gatehouse: your two-factor settings changed',
    text: [
      WHAT[change],
      '',
      ...(change === 'mfa_locked' ? ['Your password is known to whoever tried: change it now.'] : ['Your other sessions were signed out.']),
      `If this was not you, reset your password at ${where} and tell your administrator.`,
    ].join('\n'),
  };
}
