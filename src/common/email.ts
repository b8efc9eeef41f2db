import { isEmail } from 'class-validator';
import { identifierProblem } from './text';

export const MAX_EMAIL_LENGTH = 254;

/**
 * The one spelling of an address that Gatehouse stores and compares: trimmed, NFC-normalised, then lower-cased (NFC
 * first, so "é" typed as e + U+0301 and as U+00E9 are one address). `+tag` and dots are NOT folded: most providers
 * deliver `ada+x@` and `a.da@` to different mailboxes (or let them be different people), so folding them would merge
 * accounts that are not the same person's.
 */
export function canonicalEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

/**
 * Why a canonical address is refused, or undefined. Checked before any lookup. Refuses what would make one mailbox
 * two accounts or an address that displays like another: quoted local parts (`"ada"@example.com` reaches ada's
 * mailbox), invisible characters (a zero-width space inside is unseen in a mail client), control characters and
 * ill-formed Unicode (a lone surrogate made the address checker throw, a 500).
 */
export function emailProblem(email: string): string | undefined {
  const text = identifierProblem(email);
  if (text) return `email contains ${text}`;
  if (email.length > MAX_EMAIL_LENGTH) return `email must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (email.includes('"')) return 'email must not have a quoted local part';
  if (!isEmail(email, { allow_display_name: false, require_tld: false, allow_ip_domain: false })) return 'email must be an email address';
  return undefined;
}

/** canonicalEmail and emailProblem in one step, for paths outside the HTTP DTOs (admin port, CLI). */
export function parseEmail(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const email = canonicalEmail(raw);
  return emailProblem(email) === undefined ? email : undefined;
}
