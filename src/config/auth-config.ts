import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { EnvReader } from './env-reader';
import { AuthConfig, CognitoConfig, HostedLoginConfig, OidcConfig, ProviderName, ROLES, Role, SharedSecretConfig } from './config.types';

/**
 * The authentication part of the configuration (AUTH_PROVIDER and what each provider needs, hosted login, the local
 * provider's keys, the shared-secret bridge), read by loadConfig into the same problem list.
 */

const DEFAULT_ROLE_GROUP_MAP = 'admin:admin,Admins:admin,auditor:auditor,Auditors:auditor';
const COGNITO_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$/;
const EMULATOR_POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;

export function readAuth(r: EnvReader, isProduction: boolean, warnings: string[], publicUrl: string): AuthConfig {
  const requested = r.oneOf<ProviderName>('AUTH_PROVIDER', ['local', 'cognito', 'oidc'], 'local');
  const cognito = readCognito(r, requested === 'cognito', isProduction);
  const oidc = readOidc(r, requested === 'oidc');

  let provider: ProviderName = requested;
  const missing = requested === 'cognito' ? cognito.missing : requested === 'oidc' ? oidc.missing : [];
  if (missing.length > 0) {
    const what = `AUTH_PROVIDER=${requested} needs ${missing.join(', ')}`;
    if (isProduction) {
      for (const name of missing) r.fail(name, `is required when AUTH_PROVIDER=${requested}`);
    } else {
      // Development only: a half-configured provider falls back to local, loudly. Production refuses (above).
      warnings.push(`${what}; falling back to AUTH_PROVIDER=local for development`);
      provider = 'local';
    }
  }

  return {
    provider,
    ...(provider !== requested ? { fellBack: { from: requested, missing } } : {}),
    clockSkewS: r.int('JWT_CLOCK_SKEW_S', 60, 0, 60),
    jwksRefetchIntervalS: r.int('JWKS_REFETCH_INTERVAL_S', 10, 1, 300),
    roleGroupMap: readRoleGroupMap(r),
    trustRoleClaim: r.bool('TRUST_ROLE_CLAIM', false),
    cognito: cognito.value,
    oidc: oidc.value,
    sharedSecret: readSharedSecret(r),
    local: {
      privateKeyPem: readPrivateKey(r, isProduction && provider === 'local'),
      previousPublicKeyPems: readPreviousPublicKeys(r),
      accessTokenTtlS: r.int('LOCAL_ACCESS_TOKEN_TTL_S', 900, 60, 86_400),
      refreshTokenTtlS: r.int('LOCAL_REFRESH_TOKEN_TTL_S', 30 * 86_400, 300, 365 * 86_400),
      passwordMinLength: r.int('PASSWORD_MIN_LENGTH', 8, 8, 128),
    },
    hosted: readHostedLogin(r, isProduction, warnings, publicUrl, hostedLoginConfigured(provider, cognito.value, oidc.value)),
  };
}

/** Hosted login needs a client at the issuer: Cognito's Hosted UI domain, or an OIDC client id. */
function hostedLoginConfigured(provider: ProviderName, cognito?: CognitoConfig, oidc?: OidcConfig): boolean {
  return (provider === 'cognito' && cognito?.domain !== undefined) || (provider === 'oidc' && oidc?.clientId !== undefined);
}

function readHostedLogin(r: EnvReader, isProduction: boolean, warnings: string[], publicUrl: string, configured: boolean): HostedLoginConfig {
  const redirectUri = r.url('OIDC_REDIRECT_URI') ?? `${publicUrl}/api/v1/auth/hosted/callback`;
  const raw = r.raw('SESSION_SECRET');
  if (raw !== undefined) {
    const secret = Buffer.from(raw, 'utf8');
    if (secret.length >= 32) return { sessionSecret: secret, redirectUri };
    r.fail('SESSION_SECRET', 'must be at least 32 bytes (generate one with `openssl rand -base64 48`)');
    return { redirectUri };
  }
  if (isProduction) {
    // A per-process secret would break logins that start on one instance and return to another.
    if (configured) r.fail('SESSION_SECRET', 'is required when NODE_ENV=production and hosted login is configured (COGNITO_DOMAIN or OIDC_CLIENT_ID)');
    return { redirectUri };
  }
  if (configured) warnings.push('SESSION_SECRET is unset: hosted login uses a per-process secret (logins in flight fail after a restart)');
  return { sessionSecret: randomBytes(32), redirectUri };
}

function readCognito(r: EnvReader, wanted: boolean, isProduction: boolean): { value?: CognitoConfig; missing: string[] } {
  const userPoolId = r.raw('COGNITO_USER_POOL_ID');
  const clientId = r.raw('COGNITO_CLIENT_ID');
  const missing = [!userPoolId && 'COGNITO_USER_POOL_ID', !clientId && 'COGNITO_CLIENT_ID'].filter(
    (x): x is string => typeof x === 'string',
  );
  if (!userPoolId || !clientId) return { missing: wanted ? missing : [] };

  const endpoint = r.url('COGNITO_ENDPOINT')?.replace(/\/+$/, '');
  // cognito-local signs tokens with a private key published in its npm package: pointed at an emulator, a production
  // instance would take a forged `Admins` token from anyone.
  if (isProduction && endpoint) r.fail('COGNITO_ENDPOINT', 'must not be set when NODE_ENV=production (it points at an emulator whose signing key is public)');
  const domain = r.url('COGNITO_DOMAIN')?.replace(/\/+$/, '');
  // Hosted login sends codes and tokens through this domain; plain http would expose them (and openid-client refuses it).
  if (isProduction && domain && !domain.startsWith('https://')) r.fail('COGNITO_DOMAIN', 'must be an https:// URL when NODE_ENV=production');
  const poolMatch = COGNITO_POOL_ID.exec(userPoolId);
  if (!endpoint && !poolMatch) {
    r.fail('COGNITO_USER_POOL_ID', `must look like us-east-1_AbCdEfG (got "${userPoolId.slice(0, 40)}")`);
  } else if (endpoint && !EMULATOR_POOL_ID.test(userPoolId)) {
    r.fail('COGNITO_USER_POOL_ID', `must look like local_AbCd or us-east-1_AbCdEfG (got "${userPoolId.slice(0, 40)}")`);
  }
  const poolRegion = poolMatch?.[1];
  const region = r.string('AWS_REGION') ?? poolRegion ?? 'us-east-1';
  if (!endpoint && poolRegion && region !== poolRegion) {
    r.fail('AWS_REGION', `must match the pool's region ${poolRegion} (got "${region}")`);
  }
  const issuerStyle = r.oneOf('COGNITO_ISSUER', ['classic', 'new'] as const, 'classic');
  const host = issuerStyle === 'new' ? `issuer-cognito-idp.${region}` : `cognito-idp.${region}`;
  const issuer = endpoint ? `${endpoint}/${userPoolId}` : `https://${host}.amazonaws.com/${userPoolId}`;
  return {
    missing: [],
    value: {
      userPoolId,
      clientId,
      clientSecret: r.raw('COGNITO_CLIENT_SECRET'),
      region,
      endpoint,
      issuerStyle,
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      domain,
      scopes: r.string('COGNITO_SCOPES', 'openid email profile'),
      eventsSecret: readEventsSecret(r),
    },
  };
}

function readEventsSecret(r: EnvReader): Buffer | undefined {
  const raw = r.raw('COGNITO_EVENTS_SECRET');
  if (raw === undefined) return undefined;
  const secret = Buffer.from(raw, 'utf8');
  if (secret.length >= 32) return secret;
  r.fail('COGNITO_EVENTS_SECRET', 'must be at least 32 bytes (generate one with `openssl rand -base64 48`)');
  return undefined;
}

function readOidc(r: EnvReader, wanted: boolean): { value?: OidcConfig; missing: string[] } {
  const issuer = r.url('OIDC_ISSUER');
  const audience = r.raw('OIDC_AUDIENCE');
  const missing = [!r.has('OIDC_ISSUER') && 'OIDC_ISSUER', !audience && 'OIDC_AUDIENCE'].filter(
    (x): x is string => typeof x === 'string',
  );
  if (!issuer || !audience) return { missing: wanted ? missing : [] };
  return {
    missing: [],
    value: {
      issuer,
      audience,
      jwksUri: r.url('OIDC_JWKS_URI'),
      clientId: r.raw('OIDC_CLIENT_ID'),
      clientSecret: r.raw('OIDC_CLIENT_SECRET'),
      scopes: r.string('OIDC_SCOPES', 'openid email profile'),
    },
  };
}

function readSharedSecret(r: EnvReader): SharedSecretConfig | undefined {
  const raw = r.raw('JWT_SECRET_KEY');
  if (raw === undefined) return undefined;
  const secret = Buffer.from(raw, 'utf8');
  if (secret.length < 32) {
    r.fail('JWT_SECRET_KEY', 'must be at least 32 bytes (generate one with `openssl rand -base64 48`)');
    return undefined;
  }
  return {
    secret,
    issuer: r.string('JWT_SECRET_ISSUER', 'urn:gatehouse:bridge'),
    audience: r.raw('JWT_SECRET_AUDIENCE'),
    expirationHours: r.int('JWT_EXPIRATION_HOURS', 1, 1, 168),
  };
}

function readPrivateKey(r: EnvReader, required: boolean): string | undefined {
  const raw = r.raw('LOCAL_JWT_PRIVATE_KEY');
  if (raw === undefined) {
    if (required) r.fail('LOCAL_JWT_PRIVATE_KEY', 'is required when NODE_ENV=production with the local provider (an RSA private key in PEM)');
    return undefined;
  }
  // .env files and container env often carry PEMs with literal "\n".
  const pem = raw.replace(/\\n/g, '\n');
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error('weak');
    return pem;
  } catch {
    r.fail('LOCAL_JWT_PRIVATE_KEY', 'must be an RSA private key of at least 2048 bits in PEM form');
    return undefined;
  }
}

/** PEM blocks one after the other (RSA public keys; a private key is reduced to its public half), "\n" escapes allowed. */
function readPreviousPublicKeys(r: EnvReader): string[] {
  const text = (r.raw('LOCAL_JWT_PREVIOUS_PUBLIC_KEYS') ?? '').replace(/\\n/g, '\n').trim();
  if (!text) return [];
  const blocks = text.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g) ?? [];
  try {
    if (blocks.join('').replace(/\s/g, '') !== text.replace(/\s/g, '')) throw new Error('stray text');
    return blocks.map((pem) => {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
      return key.export({ type: 'spki', format: 'pem' }).toString();
    });
  } catch {
    r.fail('LOCAL_JWT_PREVIOUS_PUBLIC_KEYS', 'must be RSA public keys in PEM form, one block after the other');
    return [];
  }
}

function readRoleGroupMap(r: EnvReader): Record<string, Role> {
  const raw = r.string('ROLE_GROUP_MAP', DEFAULT_ROLE_GROUP_MAP);
  const map: Record<string, Role> = Object.create(null) as Record<string, Role>;
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [group, role, extra] = pair.split(':').map((s) => s.trim());
    if (!group || !role || extra !== undefined || !(ROLES as readonly string[]).includes(role)) {
      r.fail('ROLE_GROUP_MAP', `must be group:role pairs with role one of ${ROLES.join(' | ')} (bad entry "${pair.slice(0, 40)}")`);
      continue;
    }
    map[group] = role as Role;
  }
  return map;
}
