import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals a JSON value with AES-256-GCM under a key derived (HKDF-SHA256) from a server secret, for values that travel
 * through a client and must come back unread and unchanged (the hosted-login transaction cookie, the Cognito
 * challenge session). `info` separates keys per purpose, `aad` binds each value to its purpose too, so a value sealed
 * for one purpose never opens as another. `open` answers undefined for anything malformed, tampered with or sealed
 * under another key: callers fail closed on it.
 */
export class SealedJson {
  private readonly key: Buffer;
  private readonly aad: Buffer;

  constructor(
    secret: Buffer,
    info: string,
    aad: string,
    private readonly version = 'v1',
    private readonly maxLength = 4096,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
    this.aad = Buffer.from(aad);
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(this.aad);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${this.version}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The parsed JSON, or undefined when the value is not one this sealer made (or was changed). */
  open(value: unknown): unknown {
    if (typeof value !== 'string' || value.length > this.maxLength || !value.startsWith(`${this.version}.`)) return undefined;
    const raw = Buffer.from(value.slice(this.version.length + 1), 'base64url');
    if (raw.length < 12 + 16 + 2) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(this.aad);
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}
