import { loadConfig } from '../../config/load-config';
import type { AppConfig } from '../../config/config.types';
import type { PrincipalResolver } from '../principal.resolver';
import type { TokenVerifier } from '../tokens/token-verifier';
import type { SessionRevocations } from '../sessions/session-revocations';
import type { SessionDirectory } from '../sessions/session-directory';
import { HostedLoginIssuerDownError } from './hosted-login.errors';
import { HostedLoginService } from './hosted-login.service';
import { OidcClientFactory } from './oidc-client.factory';

/**
 * Issue 20.13: a Cognito domain whose endpoints openid-client refuses (plain http in production) made
 * /auth/hosted/login answer 500. Config validation now refuses such a domain in production; this covers what is left
 * (a configuration that still cannot build an authorize URL) answering 503 in the error shape instead of a 500.
 */
describe('HostedLoginService.start', () => {
  function service(domain: string): HostedLoginService {
    const base = loadConfig({
      NODE_ENV: 'test',
      AUTH_PROVIDER: 'cognito',
      COGNITO_USER_POOL_ID: 'us-east-1_Abc',
      COGNITO_CLIENT_ID: 'client',
      COGNITO_DOMAIN: domain,
      SESSION_SECRET: 's'.repeat(32),
    }).config;
    // As if validation had let it through: production (no insecure requests allowed) with an http:// domain.
    const config: AppConfig = { ...base, isProduction: true, nodeEnv: 'production' };
    return new HostedLoginService(config, new OidcClientFactory(config), {} as TokenVerifier, {} as PrincipalResolver, {} as SessionRevocations, {} as SessionDirectory);
  }

  it('answers 503 HOSTED_LOGIN_ISSUER_UNAVAILABLE, not a 500, when the authorize URL cannot be built', async () => {
    const err: unknown = await service('http://login.example.com').start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostedLoginIssuerDownError);
    expect(err).toMatchObject({ code: 'HOSTED_LOGIN_ISSUER_UNAVAILABLE', status: 503 });
  });

  it('builds the authorize URL for an https domain', async () => {
    const started = await service('https://login.example.com').start();
    expect(new URL(started.authorizationUrl).origin).toBe('https://login.example.com');
  });

  it('answers 503 when discovery at the issuer fails (Cognito without COGNITO_DOMAIN, nothing listening)', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      AUTH_PROVIDER: 'cognito',
      COGNITO_ENDPOINT: 'http://127.0.0.1:1',
      COGNITO_USER_POOL_ID: 'local_Abc',
      COGNITO_CLIENT_ID: 'client',
      SESSION_SECRET: 's'.repeat(32),
    }).config;
    const hosted = new HostedLoginService(config, new OidcClientFactory(config), {} as TokenVerifier, {} as PrincipalResolver, {} as SessionRevocations, {} as SessionDirectory);
    await expect(hosted.start()).rejects.toMatchObject({ code: 'HOSTED_LOGIN_ISSUER_UNAVAILABLE', status: 503 });
  });
});
