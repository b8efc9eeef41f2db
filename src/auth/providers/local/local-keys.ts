import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { KeySource } from '../../tokens/key-source';

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/** RFC 7638 thumbprint: a `kid` derived from the key itself, so every instance with the same key agrees on it. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  return createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
}

export function generateRsaPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function generateDataKey(): string {
  return randomBytes(32).toString('base64');
}

function publicJwk(key: KeyObject): PublicJwk {
  const exported = key.export({ format: 'jwk' });
  return { kty: exported.kty, n: exported.n, e: exported.e, kid: jwkThumbprint(exported), alg: 'RS256', use: 'sig' };
}

/**
 * The local provider's signing key: signs access tokens, and serves the public half both to Gatehouse's own verifier
 * (in process, as a KeySource) and to other services (the JWKS document). Previous public keys (a rotation) verify
 * and are published until their tokens have expired, so rotating the key logs nobody out; they never sign.
 */
export class LocalSigningKey implements KeySource {
  readonly kid: string;
  readonly jwk: PublicJwk;
  private readonly privateKey: KeyObject;
  private readonly byKid = new Map<string, { key: KeyObject; jwk: PublicJwk }>();

  constructor(privatePem: string, previousPublicKeys: readonly KeyObject[] = []) {
    this.privateKey = createPrivateKey(privatePem);
    const publicKey = createPublicKey(this.privateKey);
    this.jwk = publicJwk(publicKey);
    this.kid = this.jwk.kid;
    this.byKid.set(this.kid, { key: publicKey, jwk: this.jwk });
    for (const key of previousPublicKeys) {
      const jwk = publicJwk(key);
      if (!this.byKid.has(jwk.kid)) this.byKid.set(jwk.kid, { key, jwk });
    }
  }

  async getKey(kid: string | undefined): Promise<KeyObject | undefined> {
    return kid === undefined ? undefined : this.byKid.get(kid)?.key;
  }

  /** The current key first, then the previous ones. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: [...this.byKid.values()].map((k) => k.jwk) };
  }

  /**
   * An access token. `iat_ms` gives the revocation watermark millisecond precision: a token minted just after a
   * sign-out must not be mistaken for one minted just before it within the same second.
   */
  signAccessToken(input: { issuer: string; audience: string; subject: string; ttlS: number; email: string | null; sessionId?: string; nowMs?: number }): string {
    const nowMs = input.nowMs ?? Date.now();
    const iat = Math.floor(nowMs / 1000);
    const claims: Record<string, unknown> = {
      iss: input.issuer,
      sub: input.subject,
      aud: input.audience,
      token_use: 'access',
      iat,
      iat_ms: nowMs,
      exp: iat + input.ttlS,
      jti: randomUUID(),
    };
    if (input.email) claims.email = input.email;
    // The session (refresh family): ending it (reuse, a changed second factor) ends its access tokens too.
    if (input.sessionId) claims.sid = input.sessionId;
    return sign(claims, this.privateKey, { algorithm: 'RS256', keyid: this.kid });
  }
}
