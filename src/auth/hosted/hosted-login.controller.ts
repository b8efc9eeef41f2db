import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, OptionalAuth } from '../../common/decorators/auth.decorators';
import { Public } from '../../common/decorators/public.decorator';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import { ApiErrors, ApiRedirect } from '../../common/openapi/api-contract.decorators';
import type { Principal } from '../../common/principal';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import type { AuthenticatedRequest } from '../guards/auth.guard';
import { allowedOrigins } from '../credentials/allowed-origins';
import { assertOriginAllowed } from '../credentials/request-credential';
import { HostedLoginQuery } from './hosted-login.dto';
import { HostedLoginService, HostedStatus } from './hosted-login.service';
import { clearCookieOptions, cookieOptions, LOGIN_TRANSACTION_TTL_S, SessionCookieNames, sessionCookieNames } from '../credentials/session-cookies';

const nullableString = { type: 'string', nullable: true };
const HOSTED_STATUS_SCHEMA = {
  type: 'object',
  properties: {
    authenticated: { type: 'boolean' },
    via: { type: 'string', enum: ['bearer', 'cookie'], nullable: true },
    provider: nullableString,
    userId: nullableString,
    status: nullableString,
    role: nullableString,
    hostedLogin: { type: 'boolean', description: 'Whether this deployment offers hosted login at all' },
  },
};

/** Browser sign-in through the issuer's hosted pages, and the cookie session it leaves behind. */
@ApiTags('auth')
@ApiErrorResponses()
@Controller('auth')
export class HostedLoginController {
  private readonly secure: boolean;
  private readonly cookies: SessionCookieNames;
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly hosted: HostedLoginService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secure = config.isProduction;
    this.cookies = sessionCookieNames(this.secure);
    this.allowedOrigins = allowedOrigins(config);
  }

  @Public()
  @Get('hosted/login')
  @ApiOperation({ summary: "Redirects to the issuer's sign-in page (authorization code + PKCE)" })
  @ApiRedirect(302, "The issuer's sign-in page; the login transaction cookie is set")
  @ApiErrors('HOSTED_LOGIN_UNAVAILABLE', 'HOSTED_LOGIN_ISSUER_UNAVAILABLE')
  async login(@Query() query: HostedLoginQuery, @Res() res: FastifyReply): Promise<void> {
    const { authorizationUrl, transaction } = await this.hosted.start(query.returnTo);
    res.setCookie(this.cookies.transaction, transaction, cookieOptions(this.secure, LOGIN_TRANSACTION_TTL_S));
    await res.redirect(authorizationUrl, 302);
  }

  @Public()
  @Get('hosted/callback')
  @ApiOperation({ summary: 'Where the issuer returns: exchanges the code, sets the session cookie, redirects to the front end' })
  @ApiRedirect(302, 'The front end (FRONTEND_URL), or the admin console when the login began there (returnTo=console); the session cookie is set')
  @ApiErrors('HOSTED_LOGIN_FAILED', 'HOSTED_LOGIN_UNAVAILABLE', 'HOSTED_LOGIN_ISSUER_UNAVAILABLE', 'AUTH_TOKEN_INVALID', 'AUTH_TOKEN_EXPIRED', 'AUTH_TOKEN_REVOKED', 'USER_SUSPENDED', 'USER_DISABLED', 'USER_REJECTED', 'EMAIL_IN_USE')
  async callback(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const queryAt = req.url.indexOf('?');
    const cookies = req.cookies as Record<string, unknown> | undefined;
    // The transaction is single-use from the browser's side whatever happens next.
    res.clearCookie(this.cookies.transaction, clearCookieOptions(this.secure));
    const result = await this.hosted.complete(queryAt < 0 ? '' : req.url.slice(queryAt), cookies?.[this.cookies.transaction]);
    res.setCookie(this.cookies.session, result.sessionToken, cookieOptions(this.secure, result.maxAgeS));
    await res.redirect(result.returnUrl, 302);
  }

  /** Public so that an expired session can still be cleared; a present session cookie must pass the Origin rule. */
  @Public()
  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: "Ends the cookie's session server-side, clears the cookies and returns the issuer's logout URL, if any" })
  @ApiOkResponse({ schema: { type: 'object', properties: { logoutUrl: { type: 'string', format: 'uri', nullable: true } }, required: ['logoutUrl'] } })
  @ApiErrors('ORIGIN_NOT_ALLOWED')
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<{ logoutUrl: string | null }> {
    const cookies = req.cookies as Record<string, unknown> | undefined;
    const session = cookies?.[this.cookies.session];
    if (session !== undefined) assertOriginAllowed(req, this.allowedOrigins);
    if (typeof session === 'string' && session) await this.hosted.endSession(session);
    res.clearCookie(this.cookies.session, clearCookieOptions(this.secure));
    res.clearCookie(this.cookies.transaction, clearCookieOptions(this.secure));
    return { logoutUrl: await this.hosted.logoutUrl() };
  }

  @OptionalAuth()
  @Get('status')
  @ApiOperation({ summary: 'Whether the caller is signed in, how, and with which provider' })
  @ApiOkResponse({ schema: HOSTED_STATUS_SCHEMA })
  @ApiErrors()
  status(@CurrentUser() principal: Principal | undefined, @Req() req: AuthenticatedRequest): HostedStatus {
    return this.hosted.status(principal, req.credentialSource);
  }
}
