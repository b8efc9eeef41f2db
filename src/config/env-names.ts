/**
 * Every variable Gatehouse reads, and a check that finds likely misspellings of them. A variable whose name starts
 * like ours (COGNITO_, SMTP_, …) but is not one of ours is almost always a typo (COGNITO_USERPOOL_ID): unnoticed, it
 * leaves the setting at its default (or a provider falling back). env-names.spec.ts holds this list to the names the
 * code and .env.example use, so a new variable is added here or the unit test fails.
 */
export const KNOWN_ENV_NAMES = [
  'NODE_ENV', 'PORT', 'HOST', 'LOG_LEVEL', 'PUBLIC_URL', 'FRONTEND_URL', 'CORS_ORIGINS', 'BODY_LIMIT', 'API_DOCS', 'DATA_DIR',
  'DATABASE_URL', 'REDIS_URL', 'TRUST_PROXY',
  'WS_MAX_MESSAGE_BYTES', 'WS_EVENTS_PER_SECOND', 'WS_EVENT_BURST', 'WS_MAX_CONNECTIONS_PER_USER', 'WS_PING_INTERVAL_MS', 'WS_PING_TIMEOUT_MS',
  'AUTH_PROVIDER', 'ALLOW_DEV_AUTH_BYPASS', 'JWT_CLOCK_SKEW_S', 'JWKS_REFETCH_INTERVAL_S', 'ROLE_GROUP_MAP', 'TRUST_ROLE_CLAIM',
  'COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_CLIENT_SECRET', 'COGNITO_ENDPOINT', 'COGNITO_DOMAIN', 'COGNITO_ISSUER',
  'COGNITO_SCOPES', 'COGNITO_EVENTS_SECRET',
  'OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URI', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_SCOPES', 'OIDC_REDIRECT_URI',
  'SESSION_SECRET', 'JWT_SECRET_KEY', 'JWT_SECRET_ISSUER', 'JWT_SECRET_AUDIENCE', 'JWT_EXPIRATION_HOURS',
  'LOCAL_JWT_PRIVATE_KEY', 'LOCAL_JWT_PREVIOUS_PUBLIC_KEYS', 'LOCAL_ACCESS_TOKEN_TTL_S', 'LOCAL_REFRESH_TOKEN_TTL_S', 'PASSWORD_MIN_LENGTH',
  'RATE_LIMIT_AUTH_PER_MINUTE', 'RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE', 'LOGIN_MAX_ATTEMPTS', 'LOGIN_ATTEMPT_WINDOW_S', 'LOGIN_LOCKOUT_S',
  'ONBOARDING_REQUIRE_APPROVAL', 'ONBOARDING_REQUIRE_MFA', 'ONBOARDING_REQUIRE_SUBSCRIPTION',
  'DATA_ENCRYPTION_KEY', 'SMTP_URL', 'MAIL_FROM',
  'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_ID', 'STRIPE_LIVEMODE', 'STRIPE_PAST_DUE_GRACE_DAYS', 'STRIPE_API_TIMEOUT_MS', 'STRIPE_API_URL',
  'USE_SECRETS_MANAGER', 'SECRETS_PREFIX', 'AWS_SECRETS_REGION', 'AWS_REGION',
  'AUDIT_RETENTION_DAYS', 'ADMIN_BULK_IDEMPOTENCY_HOURS',
  'GATEWAY_ROUTES', 'GATEWAY_ROUTES_FILE', 'GATEWAY_SIGNING_SECRET', 'GATEWAY_TIMEOUT_MS', 'GATEWAY_BODY_LIMIT',
] as const;

/**
 * Prefixes that mark a variable as meant for Gatehouse. AWS_ and NODE_ are left out on purpose: the AWS SDK and Node
 * read many variables of their own under them (AWS_PROFILE, NODE_OPTIONS).
 */
export const WATCHED_PREFIXES = [
  'COGNITO_', 'OIDC_', 'SMTP_', 'MAIL_', 'STRIPE_', 'GATEWAY_', 'WS_', 'AUDIT_', 'ONBOARDING_', 'DATABASE_', 'REDIS_', 'LOCAL_',
  'JWT_', 'JWKS_', 'RATE_LIMIT_', 'LOGIN_', 'SESSION_', 'PUBLIC_', 'FRONTEND_', 'CORS_', 'AUTH_', 'PASSWORD_', 'ROLE_',
  'TRUST_', 'DATA_', 'API_', 'LOG_', 'BODY_', 'SECRETS_',
] as const;

const KNOWN: ReadonlySet<string> = new Set(KNOWN_ENV_NAMES);

/** Edit distance (insert, delete, substitute), enough for names of a few dozen characters. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name nearest to `name`, when it is near enough to be what was meant. */
export function nearestKnownName(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const known of KNOWN_ENV_NAMES) {
    const distance = editDistance(name, known);
    if (!best || distance < best.distance) best = { name: known, distance };
  }
  // A third of the name: USERPOOL for USER_POOL and a swapped word are typos; an unrelated name is not.
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** One line per unknown variable with one of our prefixes, naming the nearest known one when there is one. */
export function likelyTypos(env: Record<string, string | undefined>): string[] {
  const lines: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (KNOWN.has(name) || !WATCHED_PREFIXES.some((p) => name.startsWith(p))) continue;
    // SMTP_HOST is far from SMTP_URL by spelling, but SMTP_URL is the one SMTP_ setting there is: name it.
    const prefix = WATCHED_PREFIXES.find((p) => name.startsWith(p))!;
    const samePrefix = KNOWN_ENV_NAMES.filter((k) => k.startsWith(prefix));
    const nearest = nearestKnownName(name) ?? (samePrefix.length === 1 ? samePrefix[0] : undefined);
    lines.push(`${name} is not a Gatehouse setting (ignored)${nearest ? `: did you mean ${nearest}?` : ''}`);
  }
  return lines;
}
