import type { GatewayConfig } from './gateway-config';
import type { StripeConfig } from './stripe-config';
import type { TrustProxy } from './trust-proxy';

/** Roles Gatehouse knows. Ordered by nothing: a role is a set membership, not a level. */
export type Role = 'admin' | 'auditor' | 'user';
export const ROLES: readonly Role[] = ['admin', 'auditor', 'user'];

export type NodeEnv = 'development' | 'test' | 'production';
export type ProviderName = 'local' | 'cognito' | 'oidc';

export interface CognitoConfig {
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  region: string;
  /** cognito-local or another emulator; also decides the issuer when set. */
  endpoint?: string;
  /** `classic` = https://cognito-idp.<region>.amazonaws.com/<pool>; `new` = https://issuer-cognito-idp.… */
  issuerStyle: 'classic' | 'new';
  /** The issuer string tokens must carry, computed once from the settings above. */
  issuer: string;
  jwksUri: string;
  /** Hosted UI domain (https://<prefix>.auth.<region>.amazoncognito.com) for hosted login, when used. */
  domain?: string;
  scopes: string;
  /**
   * COGNITO_EVENTS_SECRET (≥ 32 bytes): the API-key header EventBridge's API destination sends to
   * POST /api/v1/hooks/cognito-events. Unset: the endpoint is not offered.
   */
  eventsSecret?: Buffer;
}

export interface OidcConfig {
  issuer: string;
  audience: string;
  jwksUri?: string;
  clientId?: string;
  clientSecret?: string;
  scopes: string;
}

export interface SharedSecretConfig {
  secret: Buffer;
  issuer: string;
  audience?: string;
  expirationHours: number;
}

export interface LocalAuthConfig {
  /** PEM; when absent a key is generated once and kept in the database (development only). */
  privateKeyPem?: string;
  /** LOCAL_JWT_PREVIOUS_PUBLIC_KEYS: public keys of earlier signing keys, still accepted and published (rotation). */
  previousPublicKeyPems: string[];
  accessTokenTtlS: number;
  refreshTokenTtlS: number;
  passwordMinLength: number;
}

/** Hosted login (authorization code + PKCE at Cognito's Hosted UI or the OIDC issuer). */
export interface HostedLoginConfig {
  /**
   * Key material for the login-transaction cookie (≥ 32 bytes). Undefined only in production without SESSION_SECRET,
   * which switches hosted login off; development generates one per process.
   */
  sessionSecret?: Buffer;
  /** The redirect_uri registered at the issuer: OIDC_REDIRECT_URI, else <PUBLIC_URL>/api/v1/auth/hosted/callback. */
  redirectUri: string;
}

export interface AuthConfig {
  provider: ProviderName;
  /** Set when AUTH_PROVIDER named a half-configured provider and development fell back to local: which, and what it lacked. */
  fellBack?: { from: ProviderName; missing: string[] };
  clockSkewS: number;
  /** Least time between two JWKS fetches caused by unknown kids, per issuer. */
  jwksRefetchIntervalS: number;
  roleGroupMap: Record<string, Role>;
  trustRoleClaim: boolean;
  cognito?: CognitoConfig;
  oidc?: OidcConfig;
  sharedSecret?: SharedSecretConfig;
  local: LocalAuthConfig;
  hosted: HostedLoginConfig;
}

/** Limits on credential endpoints (per IP and per account). */
export interface RateLimitConfig {
  /** Requests per minute per client IP, one budget across the /auth endpoints. */
  authPerMinute: number;
  /** Requests per minute per client IP on each of login, register, password/*, mfa/challenge (on top of the above). */
  authSensitivePerMinute: number;
  /** Sign-in attempts per account within `loginWindowS` before it is locked for `loginLockoutS`. */
  loginMaxAttempts: number;
  loginWindowS: number;
  loginLockoutS: number;
}

/** Which onboarding steps this deployment requires (ONBOARDING_REQUIRE_*); email verification always is. */
export interface OnboardingStepsConfig {
  approval: boolean;
  mfa: boolean;
  subscription: boolean;
}

/** The socket.io gateway's limits (WS_*). */
export interface RealtimeConfig {
  /** Largest message a client may send, in bytes; a larger one closes its connection. */
  maxMessageBytes: number;
  /** Sustained messages per second per socket, and the burst allowed above it. */
  eventsPerSecond: number;
  eventBurst: number;
  /** Sockets one user may hold on one instance; the next handshake is refused with TOO_MANY_CONNECTIONS. */
  maxConnectionsPerUser: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

/** The audit trail's retention (AUDIT_RETENTION_DAYS): rows older than this are pruned daily; 0 keeps everything. */
export interface AuditConfig {
  retentionDays: number;
}

/**
 * How long a bulk request's Idempotency-Key record is kept (ADMIN_BULK_IDEMPOTENCY_HOURS): at least this long, as the
 * daily prune removes only older records. Never 0: a record that is not kept makes every retry run again.
 */
export interface AdminBulkConfig {
  idempotencyHours: number;
}

export interface AppConfig {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  port: number;
  /** Listening address (HOST): 0.0.0.0 unless the dev bypass is on in development (then 127.0.0.1). */
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Undefined means: start the embedded Postgres under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  publicUrl: string;
  frontendUrl?: string;
  corsOrigins: string[];
  bodyLimit: string;
  /** Which proxies' X-Forwarded-For is believed (TRUST_PROXY); decides the client address. */
  trustProxy: TrustProxy;
  /** Serve Swagger UI and the OpenAPI JSON under /api/docs (API_DOCS; off by default in production). */
  apiDocs: boolean;
  redisUrl?: string;
  allowDevAuthBypass: boolean;
  auth: AuthConfig;
  rateLimits: RateLimitConfig;
  onboarding: OnboardingStepsConfig;
  dataEncryptionKey?: Buffer;
  smtpUrl?: string;
  mailFrom: string;
  stripe: StripeConfig;
  realtime: RealtimeConfig;
  audit: AuditConfig;
  adminBulk: AdminBulkConfig;
  /** The auth gateway's upstreams (GATEWAY_*). */
  gateway: GatewayConfig;
}
