import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const STEP_S = 30;

/** The bytes of a base32 secret as authenticator apps take it (case, spaces and `=` padding ignored); undefined if not base32. */
export function decodeBase32(secret: string): Buffer | undefined {
  const clean = secret.replace(/[\s=]/g, '').toUpperCase();
  if (!clean || [...clean].some((ch) => !BASE32.includes(ch))) return undefined;
  const bits = [...clean].map((ch) => BASE32.indexOf(ch).toString(2).padStart(5, '0')).join('');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
}

/**
 * RFC 6238 TOTP as the local provider checks it and authenticator apps compute it: SHA-1, 6 digits, 30 s steps.
 * Written on node:crypto (otplib 13 is ESM-only underneath, which the jest config cannot load) so the CLI's `totp`
 * command and the tests share one implementation.
 */
export function totpCode(secretBase32: string, atMs = Date.now()): string {
  const key = decodeBase32(secretBase32);
  if (!key) throw new Error('not a base32 secret');
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / STEP_S)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

/** Seconds the code of `atMs` stays current. */
export const secondsLeft = (atMs = Date.now()): number => STEP_S - (Math.floor(atMs / 1000) % STEP_S);

/**
 * `cli totp <secret>`: the current code for a secret from /auth/mfa/enroll, so a walkthrough needs no phone.
 * Development only: in production a code generator beside the server would be a second factor kept with the first.
 */
export function totpCommand(production: boolean, args: string[], out: (line: string) => void, err: (line: string) => void): number {
  if (production) {
    err('totp: refused with NODE_ENV=production (a development aid: use an authenticator app)');
    return 2;
  }
  const secret = args.join('');
  if (!decodeBase32(secret)) {
    err('usage: totp <base32 secret from POST /api/v1/auth/mfa/enroll>');
    return 2;
  }
  const now = Date.now();
  out(totpCode(secret, now));
  err(`(valid for ${secondsLeft(now)} more s; the next code is needed for each new step: verify, then sign-in)`);
  return 0;
}
