import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import type { HostedTarget } from './hosted-target';

const DISCOVERY_TIMEOUT_S = 5;

/**
 * openid-client Configurations for hosted login, one per (issuer, client), built once: from discovery at the issuer
 * (`<issuer>/.well-known/openid-configuration`; openid-client checks the document names that exact issuer), or, for
 * Cognito with COGNITO_DOMAIN, from the Hosted UI's documented endpoints. A failed discovery is not cached, so the
 * next login retries. Injectable so tests can swap it; nothing else in Gatehouse constructs an OAuth client.
 */
@Injectable()
export class OidcClientFactory {
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get(target: HostedTarget): Promise<oidc.Configuration> {
    const key = `${target.issuer}\n${target.clientId}`;
    let pending = this.configurations.get(key);
    if (!pending) {
      pending = this.build(target);
      this.configurations.set(key, pending);
      pending.catch(() => this.configurations.delete(key));
    }
    return pending;
  }

  private async build(t: HostedTarget): Promise<oidc.Configuration> {
    // Confidential clients authenticate at the token endpoint; public clients rely on PKCE alone.
    const clientAuth = t.clientSecret ? oidc.ClientSecretPost(t.clientSecret) : oidc.None();
    let configuration: oidc.Configuration;
    if (t.kind === 'cognito' && t.cognitoDomain) {
      const d = t.cognitoDomain;
      configuration = new oidc.Configuration(
        {
          issuer: t.issuer,
          authorization_endpoint: `${d}/oauth2/authorize`,
          token_endpoint: `${d}/oauth2/token`,
          userinfo_endpoint: `${d}/oauth2/userInfo`,
          jwks_uri: `${t.issuer}/.well-known/jwks.json`,
          code_challenge_methods_supported: ['S256'],
        },
        t.clientId,
        undefined,
        clientAuth,
      );
      if (!this.config.isProduction) oidc.allowInsecureRequests(configuration);
    } else {
      configuration = await oidc.discovery(new URL(t.issuer), t.clientId, undefined, clientAuth, {
        // http:// issuers (emulators, the tests' loopback provider) only outside production.
        execute: this.config.isProduction ? [] : [oidc.allowInsecureRequests],
        timeout: DISCOVERY_TIMEOUT_S,
      });
    }
    // Check the ID token's signature against the issuer's JWKS too, not only TLS to the token endpoint (which is
    // all OIDC Core requires): it is the only issuer authentication left when an emulator runs over plain http.
    oidc.enableNonRepudiationChecks(configuration);
    return configuration;
  }
}
