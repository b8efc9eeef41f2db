import type { AppConfig } from '../../config/config.types';

/**
 * The origins a cookie-authenticated write may come from (the Origin rule in request-credential.ts): CORS_ORIGINS,
 * plus Gatehouse's own origin (PUBLIC_URL), because the admin console under /admin is served from it and its writes
 * are same-origin. Nothing else: a sibling subdomain or another port is a different origin and stays refused.
 */
export function allowedOrigins(config: Pick<AppConfig, 'corsOrigins' | 'publicUrl'>): ReadonlySet<string> {
  return new Set([...config.corsOrigins, new URL(config.publicUrl).origin]);
}
