import { SealedJson } from '../../common/crypto/sealed-json';

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
  /** Where the callback sends the browser (hosted-login.dto.ts); absent: FRONTEND_URL. */
  returnTo?: 'console';
}

/**
 * Seals login transactions into a cookie value with AES-256-GCM under a key derived (HKDF-SHA256) from SESSION_SECRET.
 * Encrypted, not only signed: the PKCE verifier is a secret, and GCM's tag also makes any tampering fail closed.
 */
export class LoginTransactionSealer {
  private readonly sealed: SealedJson;

  constructor(
    secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.sealed = new SealedJson(secret, 'gatehouse hosted-login transaction', 'gatehouse login transaction v1');
  }

  seal(tx: LoginTransaction): string {
    return this.sealed.seal(tx);
  }

  /** The transaction, or undefined when the value is malformed, tampered with, sealed under another key or expired. */
  open(value: unknown): LoginTransaction | undefined {
    const tx = this.sealed.open(value) as Partial<LoginTransaction> | undefined;
    if (!tx || typeof tx !== 'object') return undefined;
    const strings = [tx.issuer, tx.verifier, tx.state, tx.nonce].every((s) => typeof s === 'string' && s.length > 0);
    if (!strings || typeof tx.expiresAt !== 'number' || tx.expiresAt <= this.now()) return undefined;
    return tx as LoginTransaction;
  }
}
