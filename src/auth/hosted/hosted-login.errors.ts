import { AppError } from '../../common/errors/app-error';

/** 404: this deployment offers no hosted login (local provider, or no client at the issuer). */
export class HostedLoginUnavailableError extends AppError {
  constructor(detail?: string) {
    super('HOSTED_LOGIN_UNAVAILABLE', 404, 'Hosted login is not available', detail);
  }
}

/** 503: hosted login is configured but the issuer cannot be reached (discovery failed). */
export class HostedLoginIssuerDownError extends AppError {
  constructor(detail?: string) {
    super('HOSTED_LOGIN_ISSUER_UNAVAILABLE', 503, 'The sign-in service is unavailable, try again later', detail);
  }
}

/** 400: the callback failed a check (state, PKCE, nonce, code, ID token); one message, the cause goes to the log. */
export class HostedLoginFailedError extends AppError {
  constructor(detail: string) {
    super('HOSTED_LOGIN_FAILED', 400, 'Sign-in failed, start again', detail);
  }
}
