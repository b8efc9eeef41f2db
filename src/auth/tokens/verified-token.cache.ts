import { hash } from 'node:crypto';
import type { VerifiedToken } from './verified-token';

/** Three base64url segments: what full verification parsed. Nothing else is ever cached (see bearerCandidate). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Remembers tokens that passed full verification, keyed by a SHA-256 of the whole token (so a look-up needs the
 * exact bytes that were verified, and raw tokens are not kept as keys), and never past the token's own `exp`.
 * Revocation and status are not cached here: they are checked on every request against the user cache.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(
    private readonly maxEntries = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  static key(token: string): string {
    // The one-shot digest: the same SHA-256 as createHash(), at about half the cost per request (no Hash object).
    return hash('sha256', token, 'base64url');
  }

  get(token: string): VerifiedToken | undefined {
    const key = VerifiedTokenCache.key(token);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt * 1000 <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit;
  }

  set(token: string, verified: VerifiedToken): void {
    if (verified.expiresAt * 1000 <= this.now() || !COMPACT_JWS.test(token)) return;
    if (this.entries.size >= this.maxEntries) {
      // Drop the oldest tenth: Map iterates in insertion order.
      let n = Math.ceil(this.maxEntries / 10);
      for (const k of this.entries.keys()) {
        this.entries.delete(k);
        if (--n === 0) break;
      }
    }
    this.entries.set(VerifiedTokenCache.key(token), verified);
  }

  get size(): number {
    return this.entries.size;
  }
}
