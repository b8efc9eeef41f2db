export const MAILER = Symbol('MAILER');
export interface Mailer {
  send(msg: { to: string; subject: string; text: string; html?: string }): Promise<void>;
}
