import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/decorators/public.decorator';
import { ApiErrorResponses } from '../common/errors/error-response.dto';
import { ApiErrors } from '../common/openapi/api-contract.decorators';
import { clientAddress } from '../common/http/client-address';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { ACCOUNT_REFUSALS, CREDENTIAL_ROUTE_ERRORS } from './auth.controller';
import { AuthService } from './auth.service';
import { allowedOrigins } from './credentials/allowed-origins';
import { assertOriginAllowed } from './credentials/request-credential';
import { cookieOptions, sessionCookieNames } from './credentials/session-cookies';
import { LoginDto, MfaChallengeDto } from './dto/auth.dto';
import type { AuthResult, RequestContext } from './providers/auth-provider';
import { CredentialThrottlerGuard, NoSensitiveBudget, SensitiveCredentialRoute } from './throttling/credential-throttler.guard';

/** What a browser learns from a cookie sign-in: never a token (the session is the HTTP-only cookie). */
/** The answer's schema: signed in, or the challenge to answer at /auth/session/mfa (no token either way). */
const ANSWER_SCHEMA = {
  schema: {
    type: 'object',
    properties: { signedIn: { type: 'boolean' }, challenge: { type: 'string' }, session: { type: 'string' } },
    required: ['signedIn'],
  },
};

export type CookieLoginAnswer = { signedIn: true } | { signedIn: false; challenge: string; session: string };

/**
 * The provider's password sign-in (and its TOTP step) for a page on an allowed origin, such as the admin console:
 * the same AuthService.login and limits as POST /auth/login, but the access token goes into the HTTP-only session
 * cookie the global guard already accepts (and hosted login sets), so no script ever holds it. The refresh token is
 * not handed out: the session lasts as long as the access token, as a hosted-login session does.
 *
 * Both routes set a cookie, so both pass the Origin rule even without one: a cross-site form must not be able to sign
 * a victim's browser into the attacker's account (login CSRF).
 */
@ApiTags('auth')
@ApiErrorResponses()
@UseGuards(CredentialThrottlerGuard)
@NoSensitiveBudget()
@Controller('auth/session')
export class CookieLoginController {
  private readonly secure: boolean;
  private readonly cookie: string;
  private readonly origins: ReadonlySet<string>;

  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secure = config.isProduction;
    this.cookie = sessionCookieNames(this.secure).session;
    this.origins = allowedOrigins(config);
  }

  @Public()
  @Post('login')
  @SensitiveCredentialRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Password sign-in for a page on an allowed origin: sets the HTTP-only session cookie, or answers a challenge' })
  @ApiOkResponse(ANSWER_SCHEMA)
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'ORIGIN_NOT_ALLOWED', 'AUTH_FAILED', 'MFA_REQUIRED', 'EMAIL_NOT_VERIFIED', ...ACCOUNT_REFUSALS)
  async login(@Body() body: LoginDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<CookieLoginAnswer> {
    assertOriginAllowed({ method: 'POST', headers: req.headers }, this.origins);
    return this.settle(await this.auth.login(body.email, body.password, context(req)), res);
  }

  @Public()
  @Post('mfa')
  @SensitiveCredentialRoute()
  @HttpCode(200)
  @ApiOperation({ summary: "Answer the sign-in's TOTP (or recovery code) challenge: sets the HTTP-only session cookie" })
  @ApiOkResponse(ANSWER_SCHEMA)
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'ORIGIN_NOT_ALLOWED', 'MFA_SESSION_INVALID', 'MFA_CODE_INVALID', 'MFA_REQUIRED', 'PASSWORD_POLICY', ...ACCOUNT_REFUSALS)
  async mfa(@Body() body: MfaChallengeDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<CookieLoginAnswer> {
    assertOriginAllowed({ method: 'POST', headers: req.headers }, this.origins);
    return this.settle(await this.auth.respondToMfaChallenge(body, context(req)), res);
  }

  private settle(result: AuthResult, res: FastifyReply): CookieLoginAnswer {
    if (result.kind === 'challenge') return { signedIn: false, challenge: result.challenge, session: result.session };
    res.setCookie(this.cookie, result.tokens.accessToken, cookieOptions(this.secure, result.tokens.expiresIn));
    return { signedIn: true };
  }
}

function context(req: FastifyRequest): RequestContext {
  return { ip: clientAddress(req), userAgent: req.headers['user-agent']?.slice(0, 300), requestId: req.id };
}
