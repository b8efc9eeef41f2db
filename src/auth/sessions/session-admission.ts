import type { Principal } from '../../common/principal';
import type { VerifiedToken } from '../tokens/verified-token';

/**
 * Optional hook of the active provider: a check a session must pass once, at its first sight, before its tokens are
 * admitted (Cognito: a session that may have begun without the user's enrolled second factor, #20.4). Provided under
 * SESSION_ADMISSION by the provider's binding; the Authenticator knows only this interface.
 */
export const SESSION_ADMISSION = Symbol('SESSION_ADMISSION');

export interface SessionAdmission {
  /**
   * Synchronous, on the hot path: true when the token's session has passed the check on this instance (or is none of
   * the hook's business). False sends the request to the slow path, which calls `check`.
   */
  passed(v: VerifiedToken): boolean;
  /** Runs the check for a session not passed yet (once per session); throws a TokenRejection to refuse it. */
  check(v: VerifiedToken, principal: Principal): Promise<void>;
}

/**
 * A bounded set of keys (sessions that passed), per instance: at `max` entries the oldest tenth is dropped (Map and
 * Set iterate in insertion order). A dropped session is checked again at its next sight, which is only slower.
 */
export class BoundedKeySet {
  private readonly keys = new Set<string>();

  constructor(private readonly max = 50_000) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    if (this.keys.has(key)) return;
    if (this.keys.size >= this.max) {
      let n = Math.max(1, Math.ceil(this.max / 10));
      for (const k of this.keys) {
        this.keys.delete(k);
        if (--n === 0) break;
      }
    }
    this.keys.add(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
