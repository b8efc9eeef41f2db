import { AppError } from '../../../common/errors/app-error';
import { COGNITO_ERROR_TABLE, CognitoCallContext, cognitoErrorCode, loginRefusalReason, mapCognitoError } from './cognito-errors';

const awsError = (name: string, message = `AWS says ${name} for someone@example.com`): Error =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });

/** The table read as a specification: [AWS error, context, expected code, expected HTTP status]. */
const SPEC: Array<[string, CognitoCallContext, string, number]> = [
  ['NotAuthorizedException', 'login', 'AUTH_FAILED', 401],
  ['NotAuthorizedException', 'code', 'CODE_INVALID', 400],
  ['NotAuthorizedException', 'mfa', 'MFA_SESSION_INVALID', 401],
  ['NotAuthorizedException', 'refresh', 'REFRESH_TOKEN_INVALID', 401],
  ['NotAuthorizedException', 'account', 'AUTH_TOKEN_INVALID', 401],
  ['NotAuthorizedException', 'other', 'AUTH_FAILED', 401],
  ['UserNotFoundException', 'login', 'AUTH_FAILED', 401],
  ['UserNotFoundException', 'code', 'CODE_INVALID', 400],
  ['UserNotFoundException', 'mfa', 'MFA_SESSION_INVALID', 401],
  ['UserNotFoundException', 'refresh', 'REFRESH_TOKEN_INVALID', 401],
  ['UserNotFoundException', 'account', 'AUTH_TOKEN_INVALID', 401],
  ['UserNotConfirmedException', 'login', 'AUTH_FAILED', 401],
  ['UserNotConfirmedException', 'other', 'EMAIL_NOT_VERIFIED', 403],
  ['UserNotConfirmedException', 'code', 'EMAIL_NOT_VERIFIED', 403],
  ['PasswordResetRequiredException', 'login', 'AUTH_FAILED', 401],
  ['CodeMismatchException', 'mfa', 'MFA_CODE_INVALID', 400],
  ['CodeMismatchException', 'code', 'CODE_INVALID', 400],
  // #20.5: only existing users get ExpiredCodeException, so on the unauthenticated code endpoints it reads as a wrong code.
  ['ExpiredCodeException', 'code', 'CODE_INVALID', 400],
  ['ExpiredCodeException', 'account', 'CODE_EXPIRED', 400],
  ['ExpiredCodeException', 'mfa', 'CODE_EXPIRED', 400],
  ['LimitExceededException', 'other', 'RATE_LIMITED', 429],
  ['TooManyRequestsException', 'login', 'RATE_LIMITED', 429],
  ['TooManyFailedAttemptsException', 'mfa', 'RATE_LIMITED', 429],
  ['InvalidPasswordException', 'other', 'PASSWORD_POLICY', 400],
  // #9: ConfirmForgotPassword checks the policy only for existing users (unknown ones get UserNotFoundException).
  ['InvalidPasswordException', 'code', 'CODE_INVALID', 400],
  ['InvalidPasswordException', 'login', 'AUTH_FAILED', 401],
  ['EnableSoftwareTokenMFAException', 'mfa', 'MFA_CODE_INVALID', 400],
  ['SoftwareTokenMFANotFoundException', 'mfa', 'MFA_NOT_ENROLLED', 409],
  ['InvalidParameterException', 'code', 'CODE_INVALID', 400],
  ['InvalidParameterException', 'mfa', 'MFA_CODE_INVALID', 400],
  ['InvalidParameterException', 'login', 'PROVIDER_UNAVAILABLE', 503],
  ['AliasExistsException', 'code', 'CODE_INVALID', 400],
  ['CodeDeliveryFailureException', 'other', 'PROVIDER_UNAVAILABLE', 503],
  ['ResourceNotFoundException', 'login', 'PROVIDER_UNAVAILABLE', 503],
  ['InternalErrorException', 'login', 'PROVIDER_UNAVAILABLE', 503],
  ['SomethingNewException', 'login', 'PROVIDER_UNAVAILABLE', 503],
  ['TimeoutError', 'login', 'PROVIDER_UNAVAILABLE', 503],
];

describe('Cognito error mapping', () => {
  it.each(SPEC)('%s during %s → %s (%d)', (name, ctx, code, status) => {
    const mapped = mapCognitoError(awsError(name), ctx, 'Op');
    expect(mapped).toBeInstanceOf(AppError);
    expect({ code: mapped.code, status: mapped.status }).toEqual({ code, status });
  });

  it('covers every row of the table', () => {
    const specified = new Set(SPEC.map(([name]) => name));
    for (const name of Object.keys(COGNITO_ERROR_TABLE)) expect(specified).toContain(name);
  });

  it('keeps AWS text out of the client message and puts it in detail', () => {
    const mapped = mapCognitoError(awsError('NotAuthorizedException', 'Incorrect username or password.'), 'login', 'InitiateAuth');
    expect(mapped.message).toBe('Incorrect email or password');
    expect(mapped.message).not.toContain('username');
    expect(mapped.detail).toContain('InitiateAuth');
    expect(mapped.detail).toContain('NotAuthorizedException');
    expect(mapped.detail).toContain('Incorrect username or password.');
  });

  it('maps a network failure (no AWS error name) to PROVIDER_UNAVAILABLE', () => {
    const econn = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(mapCognitoError(econn, 'login', 'InitiateAuth')).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 503 });
    expect(mapCognitoError('not even an error', 'other', 'SignUp')).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });

  it('does not treat inherited object keys as table rows', () => {
    expect(cognitoErrorCode('constructor', 'login')).toBe('PROVIDER_UNAVAILABLE');
    expect(cognitoErrorCode('toString', 'login')).toBe('PROVIDER_UNAVAILABLE');
  });

  it('passes an AppError through unchanged', () => {
    const own = new AppError('MFA_REQUIRED_BY_ADMIN', 409, 'x');
    expect(mapCognitoError(own, 'account', 'Op')).toBe(own);
  });
});

/** Why a refused sign-in is audited as refused: [AWS error, its message, the reason on the login.failed row]. */
const REFUSALS: Array<[string, string, string | undefined]> = [
  ['NotAuthorizedException', 'Incorrect username or password.', 'password'],
  ['NotAuthorizedException', 'User is disabled.', 'disabled'],
  ['NotAuthorizedException', 'Password attempts exceeded', 'locked'],
  ['NotAuthorizedException', 'Temporary password has expired and must be reset by an administrator.', 'temporary_password_expired'],
  // A message that merely quotes the words (an address, say) decides nothing.
  ['NotAuthorizedException', 'Incorrect username or password for user is disabled.', 'password'],
  ['InvalidPasswordException', 'Invalid password', 'password'],
  ['UserNotConfirmedException', 'User is not confirmed.', 'email_not_verified'],
  ['PasswordResetRequiredException', 'Password reset required for the user', 'password_reset_required'],
  ['UserNotFoundException', 'User does not exist.', undefined],
  ['TooManyRequestsException', 'Too many requests', undefined],
  ['InternalErrorException', 'User is disabled.', undefined],
  ['constructor', 'x', undefined],
];

describe('Cognito sign-in refusal reasons', () => {
  it.each(REFUSALS)('%s "%s" → %s', (name, message, reason) => {
    expect(loginRefusalReason(awsError(name, message))).toBe(reason);
  });

  it('names no reason for something that is not an AWS error', () => {
    expect(loginRefusalReason(new Error('connect ECONNREFUSED'))).toBeUndefined();
    expect(loginRefusalReason(undefined)).toBeUndefined();
  });
});
