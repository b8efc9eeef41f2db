import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { AllowStatus, CurrentUser } from '../common/decorators/auth.decorators';
import { Public } from '../common/decorators/public.decorator';
import { AppError, AuthenticationError } from '../common/errors/app-error';
import type { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses } from '../common/errors/error-response.dto';
import { ApiErrors, ApiRedirect } from '../common/openapi/api-contract.decorators';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { isFormMediaType } from '../common/http/body-rules';
import { clientAddress } from '../common/http/client-address';
import type { Principal } from '../common/principal';
import { NOT_DISABLED_STATUSES, PENDING_STATUSES } from '../common/user-status';
import { AuthService } from './auth.service';
import { CONFIRM_PAGE_HEADERS, confirmEmailPage, confirmEmailResultPage, confirmLinkLanding, wantsJsonOnly } from './confirm-email-page';
import {
  AcceptedDto,
  ChallengeDto,
  ConfirmEmailDto,
  ConfirmEmailLinkQuery,
  EmailDto,
  LoginDto,
  MfaChallengeDto,
  MfaCodeDto,
  MfaEnabledDto,
  MfaEnrollmentDto,
  MfaProofDto,
  RecoveryCodesDto,
  RefreshDto,
  RegisterDto,
  ResetPasswordDto,
  TokenSetDto,
} from './dto/auth.dto';
import type { AuthenticatedRequest } from './guards/auth.guard';
import type { AccountCaller, AuthResult, RequestContext, TokenSet } from './providers/auth-provider';
import { CredentialThrottlerGuard, NoSensitiveBudget, SensitiveCredentialRoute } from './throttling/credential-throttler.guard';

const ACCEPTED = (message: string): AcceptedDto => ({ status: 'accepted', message });

/** Every route here: the per-IP budget (CredentialThrottlerGuard), whose Redis store fails closed; the provider. */
export const CREDENTIAL_ROUTE_ERRORS: ErrorCode[] = ['RATE_LIMITED', 'RATE_LIMIT_UNAVAILABLE', 'NOT_SUPPORTED', 'PROVIDER_UNAVAILABLE'];
/** A sign-in that reaches the account: its block, or its address held by another user (Cognito). */
export const ACCOUNT_REFUSALS: ErrorCode[] = ['USER_SUSPENDED', 'USER_DISABLED', 'USER_REJECTED', 'EMAIL_IN_USE'];
/** A plain `{ status }` answer. */
const statusSchema = (value: string) => ({ schema: { type: 'object', properties: { status: { type: 'string', enum: [value] } }, required: ['status'] } });
const HTML = { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } };

/**
 * Sign-up, sign-in and account security, the same for every provider (AUTH_PROVIDER). Thin: validation is in the
 * DTOs, limits in AuthService, the work in the provider. One per-IP budget shared by every route here, and a
 * tighter per-route one on the routes that guess or send (login, register, password/*, mfa/challenge).
 */
@ApiTags('auth')
@ApiErrorResponses()
@ApiExtraModels(TokenSetDto, ChallengeDto)
@UseGuards(CredentialThrottlerGuard)
@NoSensitiveBudget()
@Controller('auth')
export class AuthController {
  /** Where a browser lands after the mailed link (only an explicit FRONTEND_URL: PUBLIC_URL/ is this API). */
  private readonly frontendUrl: string | undefined;

  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.frontendUrl = config.frontendUrl;
  }

  @Public()
  @Post('register')
  @SensitiveCredentialRoute()
  @HttpCode(202)
  @ApiOperation({ summary: 'Create an account and mail a verification code; the same answer whether or not the address is known' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'PASSWORD_POLICY', 'MAIL_UNAVAILABLE')
  async register(@Body() body: RegisterDto, @Req() req: Request): Promise<AcceptedDto> {
    await this.auth.register(body, context(req));
    return ACCEPTED('If the address can be registered, a verification code is on its way.');
  }

  @Public()
  @Post('confirm-email')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify the address with the mailed code' })
  @ApiOkResponse(statusSchema('verified'))
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'CODE_INVALID', 'CODE_EXPIRED', 'EMAIL_IN_USE')
  async confirmEmail(@Body() body: ConfirmEmailDto, @Req() req: Request): Promise<{ status: 'verified' }> {
    await this.auth.confirmEmail(body.email, body.code.trim(), context(req));
    return { status: 'verified' };
  }

  /**
   * The mailed link. GET (and HEAD) change nothing, so a mail scanner following it verifies nobody: the answer is a
   * page whose button POSTs the token to /auth/confirm-email-link.
   */
  @Public()
  @Get('confirm-email')
  @ApiOperation({ summary: 'The mailed link: a page whose form POSTs the token to /auth/confirm-email-link (changes nothing itself)' })
  @ApiProduces('text/html')
  @ApiOkResponse(HTML)
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS)
  confirmEmailLinkPage(@Query() query: ConfirmEmailLinkQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    this.auth.assertEmailLinks();
    void res.headers(CONFIRM_PAGE_HEADERS);
    // The POST route next to this one, as a path: the form stays on the origin the page was served from.
    return confirmEmailPage(new URL(req.url, 'http://x').pathname.replace(/\/confirm-email$/, '/confirm-email-link'), query.token);
  }

  /**
   * Verifies with the link's token. JSON for an API client (a JSON body, or a form asking for JSON alone); for the link
   * page's form (a browser): a 303 to the front end with the result when FRONTEND_URL is set, else a result page.
   */
  @Public()
  @Post('confirm-email-link')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify the address with the token of the mailed link' })
  @ApiOkResponse({ description: 'JSON for API clients; a result page for a browser form when FRONTEND_URL is unset', content: { 'application/json': statusSchema('verified'), 'text/html': HTML.content['text/html'] } })
  @ApiRedirect(303, 'A browser form with FRONTEND_URL set: the front end, with `email_verified=true|false` (and `error=<code>`) in its query')
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'CODE_INVALID', 'EMAIL_IN_USE')
  async confirmEmailLink(@Body() body: ConfirmEmailLinkQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ status: 'verified' } | string | undefined> {
    if (!isFormMediaType(req.headers['content-type']) || wantsJsonOnly(req.headers.accept)) {
      await this.auth.confirmEmailLink(body.token);
      return { status: 'verified' };
    }
    let failure: AppError | undefined;
    try {
      await this.auth.confirmEmailLink(body.token);
    } catch (err) {
      // A used or expired link is the person's business and gets a page; anything else is the filter's (JSON, logged).
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 429) throw err;
      failure = err;
    }
    if (this.frontendUrl) {
      void res.status(303).header('location', confirmLinkLanding(this.frontendUrl, failure ? { ok: false, code: failure.code } : { ok: true }));
      return undefined;
    }
    void res.headers(CONFIRM_PAGE_HEADERS);
    if (failure) void res.status(failure.status);
    return confirmEmailResultPage(!failure);
  }

  @Public()
  @Post('resend-verification')
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a new verification code; always 202' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'MAIL_UNAVAILABLE')
  async resendVerification(@Body() body: EmailDto, @Req() req: Request): Promise<AcceptedDto> {
    await this.auth.resendVerification(body.email, context(req));
    return ACCEPTED('If the address is waiting for verification, a new code is on its way.');
  }

  @Public()
  @Post('login')
  @SensitiveCredentialRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: tokens, or a challenge to answer at /auth/mfa/challenge' })
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(TokenSetDto) }, { $ref: getSchemaPath(ChallengeDto) }] } })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'AUTH_FAILED', 'MFA_REQUIRED', 'EMAIL_NOT_VERIFIED', ...ACCOUNT_REFUSALS)
  async login(@Body() body: LoginDto, @Req() req: Request): Promise<TokenSet | ChallengeDto> {
    return answer(await this.auth.login(body.email, body.password, context(req)));
  }

  @Public()
  @Post('mfa/challenge')
  @SensitiveCredentialRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Finish a sign-in with a TOTP code or a recovery code' })
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(TokenSetDto) }, { $ref: getSchemaPath(ChallengeDto) }] } })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'MFA_SESSION_INVALID', 'MFA_CODE_INVALID', 'MFA_REQUIRED', 'PASSWORD_POLICY', ...ACCOUNT_REFUSALS)
  async mfaChallenge(@Body() body: MfaChallengeDto, @Req() req: Request): Promise<TokenSet | ChallengeDto> {
    return answer(await this.auth.respondToMfaChallenge(body, context(req)));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new token pair (the old refresh token stops working)' })
  @ApiOkResponse({ type: TokenSetDto })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'REFRESH_TOKEN_INVALID')
  refresh(@Body() body: RefreshDto, @Req() req: Request): Promise<TokenSet> {
    return this.auth.refresh(body.refreshToken, context(req));
  }

  @Post('mfa/enroll')
  @HttpCode(200)
  @AllowStatus(...PENDING_STATUSES)
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Start TOTP enrolment: a secret and an otpauth:// URL for a QR code (replacing an enabled factor needs its current `code`)' })
  @ApiOkResponse({ type: MfaEnrollmentDto })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'MFA_CODE_REQUIRED', 'MFA_CODE_INVALID', 'REAUTHENTICATION_REQUIRED', 'MFA_UNAVAILABLE')
  enroll(@CurrentUser() principal: Principal, @Req() req: AuthenticatedRequest, @Body() body: MfaProofDto): Promise<MfaEnrollmentDto> {
    return this.auth.startMfaEnrollment(caller(principal, req), body?.code?.trim());
  }

  @Post('mfa/verify')
  @HttpCode(200)
  @AllowStatus(...PENDING_STATUSES)
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Confirm TOTP enrolment with a code; returns recovery codes once' })
  @ApiOkResponse({ type: MfaEnabledDto })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'MFA_CODE_INVALID', 'MFA_NOT_ENROLLED', 'MFA_ALREADY_ENABLED', 'MFA_UNAVAILABLE')
  async verify(@CurrentUser() principal: Principal, @Req() req: AuthenticatedRequest, @Body() body: MfaCodeDto): Promise<MfaEnabledDto> {
    const { recoveryCodes } = await this.auth.verifyMfaEnrollment(caller(principal, req), body.code.trim());
    return recoveryCodes ? { enabled: true, recoveryCodes } : { enabled: true };
  }

  @Post('mfa/recovery-codes')
  @HttpCode(200)
  @AllowStatus(...PENDING_STATUSES)
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Replace the recovery codes (needs a current TOTP code); the old ones stop working' })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'MFA_CODE_INVALID', 'MFA_NOT_ENROLLED')
  async recoveryCodes(@CurrentUser() principal: Principal, @Req() req: AuthenticatedRequest, @Body() body: MfaCodeDto): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.auth.regenerateRecoveryCodes(caller(principal, req), body.code.trim()) };
  }

  @Delete('mfa')
  @HttpCode(204)
  @AllowStatus(...PENDING_STATUSES)
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Turn TOTP off with the current `code` (409 MFA_REQUIRED past the onboarding MFA step, MFA_REQUIRED_BY_ADMIN while an admin requires it)' })
  @ApiNoContentResponse()
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'MFA_CODE_REQUIRED', 'MFA_CODE_INVALID', 'MFA_NOT_ENROLLED', 'MFA_REQUIRED_BY_ADMIN', 'MFA_REQUIRED_BY_ONBOARDING', 'REAUTHENTICATION_REQUIRED')
  async disableMfa(@CurrentUser() principal: Principal, @Req() req: AuthenticatedRequest, @Body() body: MfaProofDto): Promise<void> {
    await this.auth.disableMfa(caller(principal, req), body?.code?.trim());
  }

  @Public()
  @Post('password/forgot')
  @SensitiveCredentialRoute()
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a password reset code; always 202' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS)
  async forgot(@Body() body: EmailDto, @Req() req: Request): Promise<AcceptedDto> {
    await this.auth.requestPasswordReset(body.email, context(req));
    return ACCEPTED('If the address has an account, a reset code is on its way.');
  }

  @Public()
  @Post('password/reset')
  @SensitiveCredentialRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password with the mailed code; signs out every session' })
  @ApiOkResponse(statusSchema('password_reset'))
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS, 'CODE_INVALID', 'CODE_EXPIRED', 'PASSWORD_POLICY')
  async reset(@Body() body: ResetPasswordDto, @Req() req: Request): Promise<{ status: 'password_reset' }> {
    await this.auth.confirmPasswordReset({ email: body.email, code: body.code.trim(), newPassword: body.newPassword }, context(req));
    return { status: 'password_reset' };
  }

  @Post('sign-out')
  @HttpCode(204)
  @AllowStatus(...NOT_DISABLED_STATUSES)
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Sign out everywhere: every refresh and access token of the user stops working' })
  @ApiNoContentResponse()
  @ApiErrors(...CREDENTIAL_ROUTE_ERRORS)
  async signOut(@CurrentUser() principal: Principal, @Req() req: AuthenticatedRequest): Promise<void> {
    await this.auth.signOut(caller(principal, req));
  }
}

function context(req: Request): RequestContext {
  return { ip: clientAddress(req), userAgent: req.headers['user-agent']?.slice(0, 300), requestId: req.id };
}

function caller(principal: Principal, req: AuthenticatedRequest): AccountCaller {
  if (!req.accessToken) throw new AuthenticationError('AUTH_TOKEN_MISSING');
  return { principal, accessToken: req.accessToken };
}

function answer(result: AuthResult): TokenSet | ChallengeDto {
  return result.kind === 'tokens' ? result.tokens : { challenge: result.challenge, session: result.session };
}
