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

/**
 * The local provider's signing key: signs access tokens, and serves the public half both to Gatehouse's own verifier
 * (in process, as a KeySource) and to other services (the JWKS document).
 */
export class LocalSigningKey implements KeySource {
  readonly kid: string;
  readonly jwk: PublicJwk;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(privatePem: string) {
    this.privateKey = createPrivateKey(privatePem);
    this.publicKey = createPublicKey(this.privateKey);
    const exported = this.publicKey.export({ format: 'jwk' });
    this.kid = jwkThumbprint(exported);
    this.jwk = { kty: exported.kty, n: exported.n, e: exported.e, kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  async getKey(kid: string | undefined): Promise<KeyObject | undefined> {
    return kid === this.kid ? this.publicKey : undefined;
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: [this.jwk] };
  }

  /**
   * An access token. `iat_ms` gives the revocation watermark millisecond precision: a token minted just after a
   * sign-out must not be mistaken for one minted just before it within the same second.
   */
  signAccessToken(input: { issuer: string; audience: string; subject: string; ttlS: number; email: string | null; nowMs?: number }): string {
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
    return sign(claims, this.privateKey, { algorithm: 'RS256', keyid: this.kid });
  }
}
