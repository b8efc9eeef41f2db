import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../common/decorators/public.decorator';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { LOCAL_SECRETS, type LocalSecrets } from './local-secrets';
import type { PublicJwk } from './local-keys';

/**
 * The public half of the local provider's signing key and the discovery document, so other services verify
 * Gatehouse's tokens exactly as they verify Cognito's (issuer + JWKS). Served outside the /api/v1 prefix.
 */
@ApiTags('well-known')
@Controller('.well-known')
export class WellKnownController {
  constructor(
    @Inject(LOCAL_SECRETS) private readonly secrets: LocalSecrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('jwks.json')
  // Verifiers cache the key set; a short max-age lets a rotation reach them within minutes.
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: "The local provider's public signing keys (RFC 7517)" })
  jwks(): { keys: PublicJwk[] } {
    return this.secrets.signingKey.jwks();
  }

  @Public()
  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Discovery document for the tokens the local provider issues' })
  discovery(): Record<string, unknown> {
    const base = this.config.publicUrl;
    return {
      issuer: base,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint: `${base}/api/v1/auth/login`,
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['none'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'email', 'token_use'],
    };
  }
}
