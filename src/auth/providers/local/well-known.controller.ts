import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../common/decorators/public.decorator';
import { ApiErrorResponses } from '../../../common/errors/error-response.dto';
import { ApiErrors } from '../../../common/openapi/api-contract.decorators';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { LOCAL_SECRETS, type LocalSecrets } from './local-secrets';
import type { PublicJwk } from './local-keys';

/**
 * The public half of the local provider's signing key and the discovery document, so other services verify
 * Gatehouse's tokens exactly as they verify Cognito's (issuer + JWKS). Served outside the /api/v1 prefix.
 */
@ApiTags('well-known')
@ApiErrorResponses()
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
  @ApiOkResponse({ schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } }, required: ['keys'] } })
  @ApiErrors()
  jwks(): { keys: PublicJwk[] } {
    return this.secrets.signingKey.jwks();
  }

  @Public()
  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Discovery document for the tokens the local provider issues: issuer and keys only' })
  @ApiOkResponse({ schema: { type: 'object', properties: { issuer: { type: 'string' }, jwks_uri: { type: 'string' } }, additionalProperties: true } })
  @ApiErrors()
  discovery(): Record<string, unknown> {
    const base = this.config.publicUrl;
    // Only what is true: Gatehouse is not an OAuth authorization server (no authorize or token endpoint, no ID tokens,
    // no OAuth grants), so none are advertised. Verifiers need the issuer and the keys; the claims say what to expect.
    return {
      issuer: base,
      jwks_uri: `${base}/.well-known/jwks.json`,
      subject_types_supported: ['public'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'iat_ms', 'jti', 'sid', 'email', 'token_use'],
    };
  }
}
