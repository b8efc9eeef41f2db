import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encryption at rest (AES-256-GCM) and keyed hashing (HMAC-SHA-256) from the one DATA_ENCRYPTION_KEY. The two uses
 * get separate subkeys (HKDF), so the hashing key never doubles as an encryption key.
 *
 * Why keyed hashes for codes and tokens: a six-digit code has only a million values, so a plain hash in a stolen
 * database is reversed instantly; without the key it cannot be.
 */
export class SecretBox {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(dataKey: Buffer) {
    if (dataKey.length !== 32) throw new Error('the data encryption key must be 32 bytes');
    this.encKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'gatehouse/local/encrypt', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'gatehouse/local/mac', 32));
  }

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url); `context` is bound as associated data (e.g. the user id). */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  /** Throws when the value was tampered with, moved to another context, or encrypted under another key. */
  decrypt(sealed: string, context: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Keyed hash for lookups and comparisons; `purpose` separates domains (a reset code never matches a refresh token). */
  mac(purpose: string, value: string): string {
    return createHmac('sha256', this.macKey).update(purpose).update('\0').update(value).digest('base64url');
  }

  /** Constant-time comparison of two MACs. */
  static equal(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }
}
