import { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { checkClaims } from './claim-rules';
import type { IssuerPolicy } from './issuer-policy';
import { parseUnverified } from './jwt-parts';
import { tokenDigest, VerifiedTokenCache } from './verified-token.cache';
import { RejectReason, TokenRejection, VerifiedToken } from './verified-token';

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

  /** For a token verified before and held since (a socket's): refused once `exp` is past, with the same clock skew as verification. */
  assertUnexpired(v: VerifiedToken): void {
    if (this.now() / 1000 >= v.expiresAt + this.opts.clockSkewS) {
      throw new TokenRejection(RejectReason.EXPIRED, `expired at ${new Date(v.expiresAt * 1000).toISOString()}`);
    }
  }

  /** Steps before the signature: structure, trusted issuer, the issuer's algorithm, the key for `kid`. */
  async resolveKey(token: string): Promise<{ policy: IssuerPolicy; key: KeyObject }> {
    const { header, payload } = parseUnverified(token);
    const iss = payload.iss;
    if (typeof iss !== 'string') throw new TokenRejection(RejectReason.ISSUER_UNKNOWN, 'iss missing or not a string');
    const policy = this.byIssuer.get(iss);
    if (!policy) throw new TokenRejection(RejectReason.ISSUER_UNKNOWN, iss.slice(0, 200));
    if (!(policy.algorithms as readonly string[]).includes(header.alg as string)) {
      throw new TokenRejection(RejectReason.ALG_NOT_ALLOWED, `${String(header.alg).slice(0, 20)} for ${policy.kind}`);
    }
    const kid = header.kid as string | undefined;
    const key = await policy.keys.getKey(kid);
    if (!key) throw kid === undefined ? new TokenRejection(RejectReason.KID_MISSING, policy.kind) : new TokenRejection(RejectReason.KID_UNKNOWN, `${policy.kind} kid ${kid}`);
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
    if (!policy) throw new TokenRejection(RejectReason.ISSUER_UNKNOWN, 'untrusted issuer');
    const verified = { ...checkClaims(policy, payload, Math.floor(this.now() / 1000), this.opts.clockSkewS), tokenHash: tokenDigest(token) };
    this.cache.set(token, verified);
    return verified;
  }

  private verifySignature(token: string, key: KeyObject, policy: IssuerPolicy): Record<string, unknown> {
    try {
      const payload = jwt.verify(token, key, this.verifyOptions(policy));
      if (typeof payload === 'string') throw new TokenRejection(RejectReason.MALFORMED, 'payload is not an object');
      return payload as Record<string, unknown>;
    } catch (err) {
      throw rejectionFrom(err);
    }
  }
}

/**
 * jsonwebtoken's messages, as reasons. resolveKey has already pinned the issuer, its algorithm and its key, so these
 * are mostly the signature and the time claims; a message not listed is VERIFICATION_FAILED (still a refusal).
 */
const JWT_MESSAGES: ReadonlyArray<[RegExp, RejectReason]> = [
  [/^invalid signature$/, RejectReason.SIGNATURE_INVALID],
  [/^(invalid algorithm|please specify "none"|secretOrPublicKey must be (a symmetric|an asymmetric) key)/, RejectReason.ALG_NOT_ALLOWED],
  [/^jwt issuer invalid/, RejectReason.ISSUER_UNKNOWN],
  [/^jwt audience invalid/, RejectReason.AUDIENCE_MISMATCH],
  [/^invalid (exp|nbf) value$/, RejectReason.CLAIM_INVALID],
  [/^(jwt malformed|invalid token|jwt signature is required|jwt must be (provided|a string))$/, RejectReason.MALFORMED],
];

/** Maps jsonwebtoken's (and passport's) errors to a reason; the client's code only tells expiry apart. */
export function rejectionFrom(err: unknown): TokenRejection {
  if (err instanceof TokenRejection) return err;
  if (err instanceof jwt.TokenExpiredError) return new TokenRejection(RejectReason.EXPIRED, `expired at ${err.expiredAt.toISOString()}`);
  if (err instanceof jwt.NotBeforeError) return new TokenRejection(RejectReason.NOT_YET_VALID, `nbf ${err.date.toISOString()}`);
  if (err instanceof jwt.JsonWebTokenError) {
    const reason = JWT_MESSAGES.find(([pattern]) => pattern.test(err.message))?.[1] ?? RejectReason.VERIFICATION_FAILED;
    return new TokenRejection(reason, err.message);
  }
  return new TokenRejection(RejectReason.VERIFICATION_FAILED, (err as Error)?.message ?? String(err));
}
