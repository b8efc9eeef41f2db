import { AppError, AuthenticationError } from '../../../common/errors/app-error';
import { ProviderError, ProviderErrorCode } from '../provider-errors';

/**
 * Where a Cognito call was made, because the same AWS error means different things in different places:
 * - `login`: InitiateAuth USER_PASSWORD_AUTH. Unknown user, wrong password and unverified email all answer
 *   AUTH_FAILED so a caller cannot probe which addresses have accounts.
 * - `code`: an emailed code (ConfirmSignUp, ConfirmForgotPassword). An unknown user answers like a wrong code.
 * - `mfa`: a second factor (RespondToAuthChallenge, VerifySoftwareToken).
 * - `refresh`: REFRESH_TOKEN_AUTH.
 * - `account`: calls made with the caller's access token (AssociateSoftwareToken, SetUserMFAPreference, GlobalSignOut).
 * - `other`: everything else (SignUp, ForgotPassword, ResendConfirmationCode). ForgotPassword and
 *   ResendConfirmationCode treat LimitExceededException as success (#20.14: Cognito throttles existing users only).
 */
export type CognitoCallContext = 'login' | 'code' | 'mfa' | 'refresh' | 'account' | 'other';

/** A stable code, or `TOKEN_INVALID` for "the caller's access token was refused" (a 401 AUTH_TOKEN_INVALID). */
type Outcome = ProviderErrorCode | 'TOKEN_INVALID';
type Row = { default: Outcome } & Partial<Record<CognitoCallContext, Outcome>>;

/**
 * The mapping as a table: AWS error name → Gatehouse code, per context. Anything not listed (network failures,
 * throttling at the SDK level, emulator "unsupported" answers, InternalErrorException) is PROVIDER_UNAVAILABLE.
 */
export const COGNITO_ERROR_TABLE: Readonly<Record<string, Row>> = {
  NotAuthorizedException: { default: 'AUTH_FAILED', code: 'CODE_INVALID', mfa: 'MFA_SESSION_INVALID', refresh: 'REFRESH_TOKEN_INVALID', account: 'TOKEN_INVALID' },
  UserNotFoundException: { default: 'AUTH_FAILED', code: 'CODE_INVALID', mfa: 'MFA_SESSION_INVALID', refresh: 'REFRESH_TOKEN_INVALID', account: 'TOKEN_INVALID' },
  // Cognito only says "not confirmed" after the password matched; on login it still answers like a wrong password
  // (the interface's contract), elsewhere the client is told to verify the address (and may resend the code).
  UserNotConfirmedException: { default: 'EMAIL_NOT_VERIFIED', login: 'AUTH_FAILED' },
  PasswordResetRequiredException: { default: 'AUTH_FAILED' },
  CodeMismatchException: { default: 'CODE_INVALID', mfa: 'MFA_CODE_INVALID' },
  // Only an existing user can have an expired code (real Cognito answers it from ConfirmForgotPassword for a user who
  // asked for none): on the unauthenticated code endpoints it would tell accounts apart, so it reads as a wrong code.
  ExpiredCodeException: { default: 'CODE_EXPIRED', code: 'CODE_INVALID' },
  LimitExceededException: { default: 'RATE_LIMITED' },
  TooManyRequestsException: { default: 'RATE_LIMITED' },
  TooManyFailedAttemptsException: { default: 'RATE_LIMITED' },
  // cognito-local answers a wrong password with InvalidPasswordException, so on login it must read as AUTH_FAILED.
  // On ConfirmForgotPassword Cognito checks the policy only for existing users: the provider checks the pool's policy
  // itself before calling, and whatever still reaches Cognito reads like a wrong code.
  InvalidPasswordException: { default: 'PASSWORD_POLICY', login: 'AUTH_FAILED', code: 'CODE_INVALID' },
  EnableSoftwareTokenMFAException: { default: 'MFA_CODE_INVALID' },
  SoftwareTokenMFANotFoundException: { default: 'MFA_NOT_ENROLLED' },
  // A bad code-shaped input is the client's; anywhere else it is our misconfiguration (e.g. auth flow not enabled).
  InvalidParameterException: { default: 'PROVIDER_UNAVAILABLE', code: 'CODE_INVALID', mfa: 'MFA_CODE_INVALID' },
  // ConfirmSignUp when a confirmed account already holds the address: answered like a bad code (no enumeration).
  AliasExistsException: { default: 'CODE_INVALID' },
  CodeDeliveryFailureException: { default: 'PROVIDER_UNAVAILABLE' },
  ResourceNotFoundException: { default: 'PROVIDER_UNAVAILABLE' },
  InternalErrorException: { default: 'PROVIDER_UNAVAILABLE' },
};

/** The AWS error name (`NotAuthorizedException`, …) or undefined for something that is not an AWS service error. */
export function cognitoErrorName(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** The code a Cognito failure maps to in `ctx` (pure; the table above is the specification). */
export function cognitoErrorCode(name: string | undefined, ctx: CognitoCallContext): Outcome {
  const row = name !== undefined && Object.hasOwn(COGNITO_ERROR_TABLE, name) ? COGNITO_ERROR_TABLE[name] : undefined;
  if (!row) return 'PROVIDER_UNAVAILABLE';
  return row[ctx] ?? row.default;
}

/**
 * Turns any error from a Cognito call into an AppError with a stable code and a fixed message. The AWS name and text
 * go to `detail` (logs only); they never reach a client.
 */
export function mapCognitoError(err: unknown, ctx: CognitoCallContext, operation: string): AppError {
  if (err instanceof AppError) return err;
  const name = cognitoErrorName(err);
  const message = err instanceof Error ? err.message : String(err);
  const detail = `cognito ${operation}: ${name ?? 'Error'}: ${message}`.slice(0, 500);
  const code = cognitoErrorCode(name, ctx);
  return code === 'TOKEN_INVALID' ? new AuthenticationError('AUTH_TOKEN_INVALID', detail) : new ProviderError(code, detail);
}

/** Whether `err` is the AWS error `name` (for the few places that treat one error as success). */
export function isCognitoError(err: unknown, ...names: string[]): boolean {
  const name = cognitoErrorName(err);
  return name !== undefined && names.includes(name);
}

/** Why a sign-in was refused, as the `login.failed` row says it (the local provider's words where they overlap). */
export type LoginRefusalReason = 'password' | 'disabled' | 'locked' | 'temporary_password_expired' | 'email_not_verified' | 'password_reset_required';

/** InitiateAuth refusals that name a user. UserNotFoundException names nobody; throttling and outages refuse no one. */
const LOGIN_REFUSALS: Readonly<Record<string, LoginRefusalReason>> = {
  NotAuthorizedException: 'password',
  // cognito-local's answer to a wrong password (real Cognito: NotAuthorizedException).
  InvalidPasswordException: 'password',
  UserNotConfirmedException: 'email_not_verified',
  PasswordResetRequiredException: 'password_reset_required',
};

/** Real Cognito answers a wrong password, a disabled user and a lockout with the one NotAuthorizedException; only its fixed message tells them apart. */
const NOT_AUTHORIZED_MESSAGES: ReadonlyArray<readonly [RegExp, LoginRefusalReason]> = [
  [/^User is disabled/i, 'disabled'],
  [/^Password attempts exceeded/i, 'locked'],
  [/^Temporary password has expired/i, 'temporary_password_expired'],
];

/**
 * Why Cognito refused a sign-in (pure; for the audit row, never for the client, which sees AUTH_FAILED whatever the
 * reason). Undefined when the failure refuses no known user. The AWS text itself is never returned.
 */
export function loginRefusalReason(err: unknown): LoginRefusalReason | undefined {
  const name = cognitoErrorName(err);
  const reason = name !== undefined && Object.hasOwn(LOGIN_REFUSALS, name) ? LOGIN_REFUSALS[name] : undefined;
  if (reason !== 'password' || name !== 'NotAuthorizedException') return reason;
  const message = err instanceof Error ? err.message : '';
  return NOT_AUTHORIZED_MESSAGES.find(([pattern]) => pattern.test(message))?.[1] ?? reason;
}
