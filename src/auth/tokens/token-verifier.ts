import { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { checkClaims } from './claim-rules';
import type { IssuerPolicy } from './issuer-policy';
import { parseUnverified } from './jwt-parts';
import { VerifiedTokenCache } from './verified-token.cache';
import { TokenRejection, VerifiedToken } from './verified-token';

export interface VerifierOptions {
  clockSkewS: number;
  now?: () => number;
  cacheSize?: number;
}

/**
 * The one verifier: every REST request (through the passport-jwt strategy) and every socket handshake goes through
 * these steps. Fails closed: the issuer must be configured (matched exactly), the algorithm must be the issuer's
 * (RS256 for key-set issuers, HS256 only for the shared-secret bridge, so a public key can never serve as an HMAC
 * secret), the key comes from the issuer's configured source by `kid` (`jku`, `x5u`, `jwk`, `x5c` headers are never
 * read), then signature, `iss`, `exp`, `nbf` (jsonwebtoken) and the issuer's claim rules.
 */
export class TokenVerifier {
  private readonly byIssuer: Map<string, IssuerPolicy>;
  private readonly cache: VerifiedTokenCache;
  private readonly now: () => number;

  constructor(
    readonly policies: readonly IssuerPolicy[],
    private readonly opts: VerifierOptions,
  ) {
    this.byIssuer = new Map(policies.map((p) => [p.issuer, p]));
    this.now = opts.now ?? Date.now;
    this.cache = new VerifiedTokenCache(opts.cacheSize, this.now);
  }

  /** Full verification, answered from the cache when this exact token already passed. */
  async verify(token: string): Promise<VerifiedToken> {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const { policy, key } = await this.resolveKey(token);
    const payload = this.verifySignature(token, key, policy);
    return this.acceptPayload(token, payload);
  }

  cached(token: string): VerifiedToken | undefined {
    return this.cache.get(token);
  }

  /** Steps before the signature: structure, trusted issuer, the issuer's algorithm, the key for `kid`. */
  async resolveKey(token: string): Promise<{ policy: IssuerPolicy; key: KeyObject }> {
    const { header, payload } = parseUnverified(token);
    const iss = payload.iss;
    if (typeof iss !== 'string') throw new TokenRejection('AUTH_TOKEN_INVALID', 'iss missing');
    const policy = this.byIssuer.get(iss);
    if (!policy) throw new TokenRejection('AUTH_TOKEN_INVALID', `untrusted issuer ${iss.slice(0, 200)}`);
    if (!(policy.algorithms as readonly string[]).includes(header.alg as string)) {
      throw new TokenRejection('AUTH_TOKEN_INVALID', `alg ${String(header.alg).slice(0, 20)} not allowed for ${policy.kind}`);
    }
    const key = await policy.keys.getKey(header.kid as string | undefined);
    if (!key) throw new TokenRejection('AUTH_TOKEN_INVALID', `no ${policy.kind} key for kid ${String(header.kid)}`);
    return { policy, key };
  }

  /**
   * The jsonwebtoken options for one issuer. Without a policy: the union over all issuers, for the passport-jwt
   * strategy whose options are fixed at start-up (resolveKey has already pinned the issuer's own algorithm and key).
   */
  verifyOptions(policy?: IssuerPolicy): jwt.VerifyOptions & { complete: false } {
    const policies = policy ? [policy] : this.policies;
    return {
      algorithms: [...new Set(policies.flatMap((p) => [...p.algorithms]))] as jwt.Algorithm[],
      issuer: policies.map((p) => p.issuer) as [string, ...string[]],
      clockTolerance: this.opts.clockSkewS,
      // Only per call: a fixed timestamp in passport's start-up options would freeze time.
      ...(policy ? { clockTimestamp: Math.floor(this.now() / 1000) } : {}),
      complete: false,
    };
  }

  /** Claim rules for an already signature-checked payload; caches the result under the token. */
  acceptPayload(token: string, payload: Record<string, unknown>): VerifiedToken {
    const policy = typeof payload.iss === 'string' ? this.byIssuer.get(payload.iss) : undefined;
    if (!policy) throw new TokenRejection('AUTH_TOKEN_INVALID', 'untrusted issuer');
    const verified = { ...checkClaims(policy, payload, Math.floor(this.now() / 1000), this.opts.clockSkewS), tokenHash: VerifiedTokenCache.key(token) };
    this.cache.set(token, verified);
    return verified;
  }

  private verifySignature(token: string, key: KeyObject, policy: IssuerPolicy): Record<string, unknown> {
    try {
      const payload = jwt.verify(token, key, this.verifyOptions(policy));
      if (typeof payload === 'string') throw new TokenRejection('AUTH_TOKEN_INVALID', 'payload is not an object');
      return payload as Record<string, unknown>;
    } catch (err) {
      throw rejectionFrom(err);
    }
  }
}

/** Maps jsonwebtoken's errors to our codes; only expiry is told apart, everything else is "invalid". */
export function rejectionFrom(err: unknown): TokenRejection {
  if (err instanceof TokenRejection) return err;
  if (err instanceof jwt.TokenExpiredError) return new TokenRejection('AUTH_TOKEN_EXPIRED', `expired at ${err.expiredAt.toISOString()}`);
  if (err instanceof jwt.NotBeforeError) return new TokenRejection('AUTH_TOKEN_INVALID', 'not active yet (nbf)');
  if (err instanceof jwt.JsonWebTokenError) return new TokenRejection('AUTH_TOKEN_INVALID', err.message);
  return new TokenRejection('AUTH_TOKEN_INVALID', `verification failed: ${(err as Error)?.message ?? String(err)}`);
}
