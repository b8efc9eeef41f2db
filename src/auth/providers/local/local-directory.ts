import { randomBytes } from 'node:crypto';
import { parseEmail } from '../../../common/email';
import type { DirectoryUser } from '../admin-port';
import type { LocalDirectoryRow } from './local-directory.repository';

/**
 * The local directory's pure rules, for LocalAdmin: how a user looks through the admin port, page cursors, which
 * attributes an administrator may write, the password policy and temporary passwords.
 */

/** Cognito's words for the same states, so an admin screen written for one provider reads the other. */
export function directoryStatus(row: Pick<LocalDirectoryRow, 'mustChangePassword' | 'emailVerified'>): 'FORCE_CHANGE_PASSWORD' | 'UNCONFIRMED' | 'CONFIRMED' {
  if (row.mustChangePassword) return 'FORCE_CHANGE_PASSWORD';
  return row.emailVerified ? 'CONFIRMED' : 'UNCONFIRMED';
}

/** The port's view of a local user; the username is the subject (a uuid), as Cognito's is the sub. */
export function toDirectoryUser(row: LocalDirectoryRow): DirectoryUser {
  const attributes: Record<string, string> = { sub: row.subject };
  if (row.email !== null) attributes.email = row.email;
  if (row.fullName !== null) attributes.name = row.fullName;
  if (row.organizationId !== null) attributes['custom:organizationId'] = row.organizationId;
  return {
    userId: row.id,
    username: row.subject,
    subject: row.subject,
    email: row.email ?? undefined,
    emailVerified: row.emailVerified,
    enabled: row.status !== 'disabled',
    status: directoryStatus(row),
    attributes,
    mfa: row.totpEnabled ? ['totp'] : [],
    // TOTP is the local provider's only second factor: enabled means it is the one asked for.
    ...(row.totpEnabled ? { preferredMfa: 'totp' as const } : {}),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const PAGE_LIMIT = { min: 1, max: 60, default: 20 } as const;

/** Out-of-range limits are clamped rather than refused, as Cognito's ListUsers does. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return PAGE_LIMIT.default;
  return Math.min(Math.max(Math.floor(limit), PAGE_LIMIT.min), PAGE_LIMIT.max);
}

export interface PageKey {
  createdAtKey: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MICRO_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to callers: base64url of the last row's (created_at with microseconds, id). */
export function encodeCursor(row: PageKey): string {
  return Buffer.from(JSON.stringify([row.createdAtKey, row.id]), 'utf8').toString('base64url');
}

/** The key a cursor stands for, or undefined for anything that is not one of ours (never reaches SQL unchecked). */
export function decodeCursor(cursor: string): PageKey | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [createdAtKey, id] = parsed as unknown[];
  if (typeof createdAtKey !== 'string' || typeof id !== 'string' || !MICRO_ISO.test(createdAtKey) || !UUID.test(id)) return undefined;
  return { createdAtKey, id };
}

/**
 * The email prefix to list by: a plain prefix, or Cognito's `email ^= "prefix"` so a caller written for Cognito's
 * filter syntax works unchanged. Empty means no filter.
 */
export function emailPrefixFilter(filter: string | undefined): string | undefined {
  if (filter === undefined) return undefined;
  const cognito = /^\s*email\s*\^=\s*"([^"]*)"\s*$/.exec(filter);
  const prefix = (cognito ? cognito[1]! : filter).trim();
  return prefix === '' ? undefined : prefix;
}

/** The one address rule the HTTP DTOs use (common/email.ts), so the admin port and self sign-up agree on one address. */
export const normalizeEmail = parseEmail;

export interface ProfilePatch {
  fullName?: string | null;
  email?: string;
  organizationId?: string | null;
}

const MAX_TEXT = 200;

function optionalText(value: unknown, name: string): string | null | { error: string } {
  if (typeof value !== 'string') return { error: `${name} must be a string` };
  const text = value.trim();
  if (text.length > MAX_TEXT) return { error: `${name} is longer than ${MAX_TEXT}` };
  return text === '' ? null : text;
}

/**
 * The attributes an administrator may write, as a profile patch. Anything else (including `sub` and roles, which
 * have their own operations) is refused as a whole: a half-applied update would be worse than none.
 */
export function attributePatch(attributes: Record<string, string>): { patch: ProfilePatch } | { error: string } {
  const patch: ProfilePatch = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'name' || key === 'fullName') {
      const text = optionalText(value, key);
      if (text !== null && typeof text === 'object') return text;
      if (patch.fullName !== undefined && patch.fullName !== text) return { error: 'name and fullName disagree' };
      patch.fullName = text;
    } else if (key === 'custom:organizationId') {
      const text = optionalText(value, key);
      if (text !== null && typeof text === 'object') return text;
      patch.organizationId = text;
    } else if (key === 'email') {
      const email = normalizeEmail(value);
      if (!email) return { error: 'email is not an email address' };
      patch.email = email;
    } else {
      return { error: `attribute "${key.slice(0, 60)}" is unknown or not writable` };
    }
  }
  return { patch };
}

/** The same rules as the provider's sign-up and reset (length in code points, a cap, not the address itself). */
export function passwordPolicyViolation(password: string, email: string, minLength: number, maxLength: number): string | undefined {
  if ([...password].length < minLength) return `shorter than ${minLength}`;
  if (password.length > maxLength) return `longer than ${maxLength}`;
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'equals the email address';
  return undefined;
}

/** A generated temporary password: at least 20 characters of base64url (≥ 120 bits), longer if the policy asks. */
export function temporaryPassword(minLength: number): string {
  const length = Math.max(minLength, 20);
  return randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);
}
