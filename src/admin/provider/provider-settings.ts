import type { AppConfig, ProviderName } from '../../config/config.types';

/** One setting the provider works from: its variable's name and whether it is set. Never its value. */
export interface SettingPresence {
  provider: ProviderName;
  name: string;
  present: boolean;
}

type Env = Record<string, string | undefined>;
const set = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/**
 * Which of a provider's settings are present (pure). Values never leave this function: only `present`, so the
 * admin page can say "COGNITO_CLIENT_SECRET: set" without the secret (or an access key id) reaching a browser.
 */
export function providerSettings(config: AppConfig, env: Env): SettingPresence[] {
  const missing = new Set(config.auth.fellBack?.missing ?? []);
  const providers = [config.auth.provider, ...(config.auth.fellBack ? [config.auth.fellBack.from] : [])];
  return providers.flatMap((provider) => settingsOf(provider, config, env).map(([name, present]) => ({ provider, name, present: present && !missing.has(name) })));
}

function settingsOf(provider: ProviderName, config: AppConfig, env: Env): Array<[string, boolean]> {
  switch (provider) {
    case 'cognito': {
      const c = config.auth.cognito;
      return [
        ['COGNITO_USER_POOL_ID', set(c?.userPoolId)],
        ['COGNITO_CLIENT_ID', set(c?.clientId)],
        ['COGNITO_CLIENT_SECRET', set(c?.clientSecret)],
        ['COGNITO_ENDPOINT', set(c?.endpoint)],
        ['COGNITO_DOMAIN', set(c?.domain)],
        ['COGNITO_EVENTS_SECRET', set(c?.eventsSecret)],
        ['AWS_REGION', set(env.AWS_REGION)],
        ['AWS_ACCESS_KEY_ID', set(env.AWS_ACCESS_KEY_ID)],
        ['AWS_SECRET_ACCESS_KEY', set(env.AWS_SECRET_ACCESS_KEY)],
        ['AWS_SESSION_TOKEN', set(env.AWS_SESSION_TOKEN)],
      ];
    }
    case 'oidc': {
      const o = config.auth.oidc;
      return [
        ['OIDC_ISSUER', set(o?.issuer)],
        ['OIDC_AUDIENCE', set(o?.audience)],
        ['OIDC_JWKS_URI', set(o?.jwksUri)],
        ['OIDC_CLIENT_ID', set(o?.clientId)],
        ['OIDC_CLIENT_SECRET', set(o?.clientSecret)],
      ];
    }
    case 'local':
      return [
        ['LOCAL_JWT_PRIVATE_KEY', set(config.auth.local.privateKeyPem)],
        ['LOCAL_JWT_PREVIOUS_PUBLIC_KEYS', config.auth.local.previousPublicKeyPems.length > 0],
        ['DATA_ENCRYPTION_KEY', set(config.dataEncryptionKey)],
        ['SMTP_URL', set(config.smtpUrl)],
      ];
  }
}
