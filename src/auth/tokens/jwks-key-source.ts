import { createPublicKey, KeyObject } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';
import type { KeySource } from './key-source';

export interface JwksOptions {
  /** Unknown-kid refetches are spaced at least this far apart (a flood of random kids costs a bounded number of fetches). */
  minRefetchIntervalMs?: number;
  /** Keys are refreshed in the background this often, so a key removed from the JWKS stops verifying. */
  refreshIntervalMs?: number;
  timeoutMs?: number;
  now?: () => number;
  log?: (msg: string, detail?: Record<string, unknown>) => void;
}

/** Fetches the JWKS (jwks-rsa does the HTTP and the JWK → PEM conversion) and returns RSA public keys by kid. */
export type JwksFetcher = () => Promise<Map<string, KeyObject>>;

export function jwksRsaFetcher(uri: string, timeoutMs: number): JwksFetcher {
  // jwks-rsa's own cache and rate limiter are off: this class owns both, with the semantics the verifier needs
  // (keep the last good set forever while the endpoint is down; refetch on unknown kid at most once per interval).
  const client = new JwksClient({ jwksUri: uri, cache: false, rateLimit: false, timeout: timeoutMs });
  return async () => {
    const keys = await client.getSigningKeys();
    const out = new Map<string, KeyObject>();
    for (const k of keys) {
      if (!k.kid) continue;
      const key = createPublicKey(k.getPublicKey());
      if (key.asymmetricKeyType === 'rsa') out.set(k.kid, key);
    }
    return out;
  };
}

/**
 * An issuer's keys, from its JWKS URL (configured, never from a token). Fetched at start-up (a failure there is
 * logged, not fatal); an unknown kid triggers a refetch at most once per `minRefetchIntervalMs`; concurrent misses
 * share one fetch; when the endpoint is down, the last good keys keep working.
 */
export class JwksKeySource implements KeySource {
  private keys = new Map<string, KeyObject>();
  private lastFetchStartedAt = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;
  private timer?: NodeJS.Timeout;
  /** Fetch attempts made; exposed for tests and metrics. */
  fetches = 0;
  private readonly minRefetchIntervalMs: number;
  private readonly now: () => number;

  constructor(
    readonly uri: string,
    private readonly fetcher: JwksFetcher,
    private readonly opts: JwksOptions = {},
  ) {
    this.minRefetchIntervalMs = opts.minRefetchIntervalMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  async getKey(kid: string | undefined): Promise<KeyObject | undefined> {
    // A JWKS issuer must name its key: guessing among several is how key-confusion bugs start.
    if (kid === undefined) return undefined;
    const known = this.keys.get(kid);
    if (known) return known;
    if (this.now() - this.lastFetchStartedAt < this.minRefetchIntervalMs) {
      if (this.inflight) await this.inflight;
      return this.keys.get(kid);
    }
    await this.refresh();
    return this.keys.get(kid);
  }

  /** Starts background refreshes and makes the first fetch; never throws. */
  async start(): Promise<void> {
    await this.refresh();
    const every = this.opts.refreshIntervalMs ?? 3_600_000;
    this.timer = setInterval(() => void this.refresh(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get size(): number {
    return this.keys.size;
  }

  refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.lastFetchStartedAt = this.now();
    this.fetches++;
    this.inflight = this.fetcher()
      .then((keys) => {
        if (keys.size > 0) this.keys = keys;
      })
      .catch((err: unknown) => {
        this.opts.log?.('JWKS fetch failed; keeping the cached keys', { uri: this.uri, cached: this.keys.size, err: (err as Error).message });
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
