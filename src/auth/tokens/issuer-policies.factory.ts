import { createSecretKey, KeyObject } from 'node:crypto';
import type { AppConfig } from '../../config/config.types';
import type { IssuerPolicy } from './issuer-policy';
import { JwksFetcher, JwksKeySource, jwksRsaFetcher } from './jwks-key-source';
import type { KeySource } from './key-source';

const FETCH_TIMEOUT_MS = 3_000;

/** The shared-secret bridge's one key; `kid` is irrelevant for a single secret. */
class SecretKeySource implements KeySource {
  constructor(private readonly key: KeyObject) {}
  async getKey(): Promise<KeyObject> {
    return this.key;
  }
}

/** OIDC without OIDC_JWKS_URI: discover the JWKS URL once, and only believe a document that names our issuer. */
function discoveringFetcher(issuer: string): JwksFetcher {
  let inner: JwksFetcher | undefined;
  return async () => {
    if (!inner) {
      const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
      if (!res.ok) throw new Error(`discovery answered HTTP ${res.status}`);
      const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (doc.issuer !== issuer) throw new Error('discovery document names another issuer');
      if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
      inner = jwksRsaFetcher(doc.jwks_uri, FETCH_TIMEOUT_MS);
    }
    return inner();
  };
}

export interface PolicyDeps {
  /** The local provider's in-process keys, when it is the active provider. */
  localKeys?: KeySource;
  log?: (msg: string, detail?: Record<string, unknown>) => void;
  /** Tests shorten the unknown-kid refetch spacing; production keeps 10 s. */
  minRefetchIntervalMs?: number;
  /** The clock that spaces unknown-kid refetches (tests move it instead of sleeping). */
  now?: () => number;
}

/** Injection token of the clock the JWKS key sources space their refetches by; Date.now unless a test overrides it. */
export const JWKS_CLOCK = Symbol('JWKS_CLOCK');

/**
 * The trusted issuers, from configuration only: the active provider's issuer, plus the shared-secret bridge when
 * JWT_SECRET_KEY is set. Tokens from any other issuer are refused, even well-signed ones.
 */
export function buildIssuerPolicies(config: AppConfig, deps: PolicyDeps = {}): IssuerPolicy[] {
  const policies: IssuerPolicy[] = [];
  const jwksOpts = { timeoutMs: FETCH_TIMEOUT_MS, log: deps.log, minRefetchIntervalMs: deps.minRefetchIntervalMs, now: deps.now };
  const { auth } = config;
  if (auth.provider === 'cognito' && auth.cognito) {
    const c = auth.cognito;
    policies.push({ kind: 'cognito', issuer: c.issuer, algorithms: ['RS256'], audience: c.clientId, keys: new JwksKeySource(c.jwksUri, jwksRsaFetcher(c.jwksUri, FETCH_TIMEOUT_MS), jwksOpts) });
  }
  if (auth.provider === 'oidc' && auth.oidc) {
    const o = auth.oidc;
    const fetcher = o.jwksUri ? jwksRsaFetcher(o.jwksUri, FETCH_TIMEOUT_MS) : discoveringFetcher(o.issuer);
    policies.push({ kind: 'oidc', issuer: o.issuer, algorithms: ['RS256'], audience: o.audience, keys: new JwksKeySource(o.jwksUri ?? `${o.issuer} (discovered)`, fetcher, jwksOpts) });
  }
  if (auth.provider === 'local' && deps.localKeys) {
    policies.push({ kind: 'local', issuer: config.publicUrl, algorithms: ['RS256'], keys: deps.localKeys });
  }
  if (auth.sharedSecret) {
    const s = auth.sharedSecret;
    policies.push({
      kind: 'bridge',
      issuer: s.issuer,
      algorithms: ['HS256'],
      audience: s.audience,
      maxLifetimeS: s.expirationHours * 3600,
      keys: new SecretKeySource(createSecretKey(s.secret)),
    });
  }
  return policies;
}
