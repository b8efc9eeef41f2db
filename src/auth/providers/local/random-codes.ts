import { randomBytes, randomInt } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A uniformly random six-digit code (leading zeros kept). */
export function sixDigitCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** An opaque token with 256 bits of entropy, URL-safe. */
export function opaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A recovery code: 80 bits as four groups of four Crockford base32 characters (no I, L, O, U to misread). */
export function recoveryCode(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) out += CROCKFORD[bytes[i]! & 31];
  return out.match(/.{4}/g)!.join('-');
}

/** Case, dashes and spaces do not matter when a person types a recovery code back; 0/O and 1/I/L are read alike. */
export function normalizeRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}
