import { hash } from 'node:crypto';
import type { VerifiedToken } from './verified-token';

/** Three base64url segments: what full verification parsed. Nothing else is ever cached (see bearerCandidate). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The SHA-256 (base64url) of a token's exact bytes: what revocations of a single token are stored under (`tok:`) and
 * what a verified token carries as `tokenHash`. Computed once, at verification; never on the hot path.
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}

/**
 * Remembers tokens that passed full verification, keyed by the token itself, and never past the token's own `exp`.
 * Revocation and status are not cached here: they are checked on every request against the user cache.
 *
 * Why the raw token and not a digest of it: a hit must cost no crypto (issue #10's hot path). Measured in the server
 * under load, a SHA-256 per request cost about 9 µs of CPU and a look-up by the token's own text about 4. A Map still
 * answers only for the exact string that was verified (it compares the whole key), only verified tokens are ever
 * inserted, and V8 seeds its string hash per process. The tokens sit in memory for at most their own lifetime, in a
 * process that holds its signing keys and secrets anyway.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(
    private readonly maxEntries = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): VerifiedToken | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.expiresAt * 1000 <= this.now()) {
      this.entries.delete(token);
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
    this.entries.set(ownCopy(token), verified);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A token read from a header is a slice of the header's string, and V8 keeps the whole parent alive for a slice: a
 * key taken from a Cookie header would keep every other cookie of that request for the token's lifetime. A copy of
 * the token's own characters (ASCII: COMPACT_JWS) keeps nothing else.
 */
function ownCopy(token: string): string {
  return Buffer.from(token, 'latin1').toString('latin1');
}
