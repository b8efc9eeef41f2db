import { hash, parseOptions, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** `Algorithm.Argon2id`; the package declares a const enum, which isolated modules cannot import. */
const ARGON2ID = 2;

export interface Argon2Params {
  /** KiB. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's password storage cheat sheet minimum for argon2id (m=19 MiB, t=2, p=1). */
export const DEFAULT_ARGON2_PARAMS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * argon2id hashing. The whole password is hashed (no 72-byte truncation as with bcrypt), so long passphrases keep
 * all their strength; the DTO caps the length so nobody can make the server hash a megabyte.
 */
export class PasswordHasher {
  /** A hash of a random password, verified against when the user does not exist, so timing reveals nothing. */
  private dummy?: Promise<string>;

  constructor(readonly params: Argon2Params = DEFAULT_ARGON2_PARAMS) {}

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.params });
  }

  /** False for a wrong password and for a hash that cannot be parsed (fail closed). */
  async verify(stored: string, password: string): Promise<boolean> {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }

  /** Spends the same work as a real verification and always answers false. */
  async verifyDummy(password: string): Promise<false> {
    this.dummy ??= this.hash(randomBytes(24).toString('base64'));
    await this.verify(await this.dummy, password);
    return false;
  }

  /** True when `stored` was made with weaker (or other) parameters than today's: rehash it after a good login. */
  needsRehash(stored: string): boolean {
    try {
      const p = parseOptions(stored);
      return p.algorithm !== ARGON2ID || p.memoryCost < this.params.memoryCost || p.timeCost < this.params.timeCost || p.parallelism !== this.params.parallelism;
    } catch {
      return true;
    }
  }
}
