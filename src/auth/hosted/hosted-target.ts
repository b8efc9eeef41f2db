import type { AppConfig } from '../../config/config.types';

/** Where hosted login sends the browser: the active provider's issuer and Gatehouse's client there. */
export interface HostedTarget {
  kind: 'cognito' | 'oidc';
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string;
  /** Cognito only: the Hosted UI domain (its endpoints are fixed paths there, and so is its non-standard logout). */
  cognitoDomain?: string;
}

/**
 * The hosted-login target for this configuration, or undefined when hosted login is off: no session secret (production
 * without SESSION_SECRET), the local provider, or an OIDC issuer without OIDC_CLIENT_ID. Cognito without
 * COGNITO_DOMAIN is still a target: its endpoints are then discovered at the issuer (offered when discovery works).
 */
export function hostedTarget(config: AppConfig): HostedTarget | undefined {
  const { auth } = config;
  if (!auth.hosted.sessionSecret) return undefined;
  if (auth.provider === 'cognito' && auth.cognito) {
    const c = auth.cognito;
    return { kind: 'cognito', issuer: c.issuer, clientId: c.clientId, clientSecret: c.clientSecret, scopes: c.scopes, cognitoDomain: c.domain };
  }
  if (auth.provider === 'oidc' && auth.oidc?.clientId) {
    const o = auth.oidc;
    return { kind: 'oidc', issuer: o.issuer, clientId: o.clientId!, clientSecret: o.clientSecret, scopes: o.scopes };
  }
  return undefined;
}
