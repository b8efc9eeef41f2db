import type { AppConfig } from '../../../config/config.types';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** What the mail is, for the log line of a failed send (which never carries subject, body, code or link). */
  kind: 'verification' | 'account_exists' | 'invite' | 'password_reset' | 'factor_change';
}

/**
 * The local provider's mails. Links are built from PUBLIC_URL only, never from the request's Host header: a forged
 * Host would otherwise send a victim a reset or verification link pointing at the attacker's server. Subjects never carry
 * a code: lock screens and notification previews show subjects to whoever holds the phone.
 */
export const mailFor = {
  verification(config: AppConfig, to: string, code: string, linkToken: string): OutgoingMail {
    const link = `${config.publicUrl}/api/v1/auth/confirm-email?token=${encodeURIComponent(linkToken)}`;
    return {
      to,
      kind: 'verification',
      subject: 'Your Gatehouse verification code',
      text: [
        `Your verification code is ${code}`,
        '',
        `Or open this link and press "Confirm": ${link}`,
        '',
        'The code and the link expire in 24 hours. If you did not sign up, ignore this mail and do not confirm:',
        'confirming would verify an account someone else may have started with your address.',
      ].join('\n'),
    };
  },

  accountExists(config: AppConfig, to: string): OutgoingMail {
    return {
      to,
      kind: 'account_exists',
      subject: 'Someone tried to sign up with your address',
      text: [
        'Someone (perhaps you) tried to create a Gatehouse account with this address, which already has one.',
        '',
        `If you forgot your password, reset it at ${config.frontendUrl ?? config.publicUrl}.`,
        'If it was not you, you can ignore this mail: nothing changed.',
      ].join('\n'),
    };
  },

  /**
   * An account an administrator made. The temporary password travels by mail (as Cognito's invitation does), which
   * is why it only buys the right to choose a new one at the first sign-in.
   */
  invite(config: AppConfig, to: string, temporaryPassword: string, verifyFirst: boolean): OutgoingMail {
    return {
      to,
      kind: 'invite',
      subject: 'Your Gatehouse account is ready',
      text: [
        'An administrator created a Gatehouse account for this address.',
        '',
        `Sign in at ${config.frontendUrl ?? config.publicUrl} with`,
        `  email: ${to}`,
        `  temporary password: ${temporaryPassword}`,
        '',
        'You will be asked to choose a new one when you first sign in; the temporary password stops working then.',
        ...(verifyFirst ? ['First confirm your address with the code from the separate verification mail.'] : []),
        'If you did not expect this, ignore this mail or tell your administrator.',
      ].join('\n'),
    };
  },

  passwordReset(_config: AppConfig, to: string, code: string): OutgoingMail {
    return {
      to,
      kind: 'password_reset',
      subject: 'Your Gatehouse password reset code',
      text: [
        `Your password reset code is ${code}`,
        '',
        'It expires in 30 minutes and works once. Resetting your password signs you out everywhere.',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ].join('\n'),
    };
  },
};
