import { AppError } from '../../common/errors/app-error';

/**
 * The stable codes every provider maps its failures to. Messages are fixed texts: provider (AWS, IdP) text never
 * reaches a client; the provider's own error name goes to `detail` for the log.
 */
export const PROVIDER_ERRORS = {
  AUTH_FAILED: [401, 'Incorrect email or password'],
  MFA_REQUIRED: [401, 'A second factor is required'],
  MFA_CODE_INVALID: [400, 'The verification code is not valid'],
  MFA_SESSION_INVALID: [401, 'The sign-in session has expired; sign in again'],
  MFA_NOT_ENROLLED: [409, 'Two-factor authentication is not set up'],
  MFA_ALREADY_ENABLED: [409, 'Two-factor authentication is already enabled'],
  MFA_REQUIRED_BY_ADMIN: [409, 'Two-factor authentication is required for this account'],
  MFA_UNAVAILABLE: [409, 'Two-factor authentication is not available: the identity provider does not ask for a second factor at sign-in'],
  MFA_CODE_REQUIRED: [400, 'A current authenticator code or recovery code is required'],
  REAUTHENTICATION_REQUIRED: [403, 'Sign in again to change two-factor settings'],
  CODE_INVALID: [400, 'The code is not valid'],
  CODE_EXPIRED: [400, 'The code has expired; request a new one'],
  PASSWORD_POLICY: [400, 'The password does not meet the password policy'],
  REFRESH_TOKEN_INVALID: [401, 'The refresh token is not valid'],
  EMAIL_NOT_VERIFIED: [403, 'The email address is not verified yet'],
  RATE_LIMITED: [429, 'Too many attempts, try again later'],
  PROVIDER_UNAVAILABLE: [503, 'The identity provider is not reachable'],
  NOT_SUPPORTED: [501, 'This operation is not supported by the configured provider'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProviderErrorCode = keyof typeof PROVIDER_ERRORS;

export class ProviderError extends AppError {
  constructor(code: ProviderErrorCode, detail?: string, extra?: Record<string, unknown>) {
    const [status, message] = PROVIDER_ERRORS[code];
    super(code, status, message, detail, extra);
  }
}
