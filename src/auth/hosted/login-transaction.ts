import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What /hosted/login remembers for /hosted/callback. Never leaves the server in the clear. */
export interface LoginTransaction {
  /** The issuer the login started at (a config change between the two requests must not mix issuers). */
  issuer: string;
  /** PKCE code verifier (RFC 7636): only the party that started the login can redeem the code. */
  verifier: string;
  /** Binds the callback to this browser's login (RFC 6749 §10.12, login CSRF). */
  state: string;
  /** Binds the ID token to this login (OIDC Core §3.1.2.1, token replay/injection). */
  nonce: string;
  /** Milliseconds since epoch after which the transaction is refused, whatever the cookie's Max-Age says. */
  expiresAt: number;
}

const VERSION = 'v1';
const AAD = Buffer.from('gatehouse login transaction v1');

/**
 * Seals login transactions into a cookie value with AES-256-GCM under a key derived (HKDF-SHA256) from SESSION_SECRET.
 * Encrypted, not only signed: the PKCE verifier is a secret, and GCM's tag also makes any tampering fail closed.
 */
export class LoginTransactionSealer {
  private readonly key: Buffer;

  constructor(
    secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'gatehouse hosted-login transaction', 32));
  }

  seal(tx: LoginTransaction): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(tx), 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The transaction, or undefined when the value is malformed, tampered with, sealed under another key or expired. */
  open(value: unknown): LoginTransaction | undefined {
    if (typeof value !== 'string' || value.length > 4096 || !value.startsWith(`${VERSION}.`)) return undefined;
    const raw = Buffer.from(value.slice(VERSION.length + 1), 'base64url');
    if (raw.length < 12 + 16 + 2) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const json = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      const tx = JSON.parse(json) as Partial<LoginTransaction>;
      const strings = [tx.issuer, tx.verifier, tx.state, tx.nonce].every((s) => typeof s === 'string' && s.length > 0);
      if (!strings || typeof tx.expiresAt !== 'number' || tx.expiresAt <= this.now()) return undefined;
      return tx as LoginTransaction;
    } catch {
      return undefined;
    }
  }
}
