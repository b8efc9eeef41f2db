// What other modules may use of `auth`: its Nest modules, the one Authenticator every entrance admits through, the
// credential parsing the socket handshake shares, the admin port and the throttler names admin routes reuse.
// Everything else under src/auth is internal (eslint.config.mjs refuses deep imports from other modules).
export { AuthModule } from './auth.module';
export { AuthCoreModule } from './auth-core.module';
export { AuthProviderBindingModule } from './auth-provider.binding';
export { AccountLadder, AccountLadderModule } from './account-ladder';
export { Authenticator, type RouteRules } from './authenticator';
export { AUTH_REQUEST_FIELDS } from './guards/auth.guard';
// The role rule the Authenticator applies, for an entrance whose roles come from config rather than decorators (the gateway).
export { assertRole } from './guards/access-rules';
export { AccountAdministration, type ActionResult } from './admin/account-administration.service';
export { actionOutcome, BULK_ACTIONS, type BulkAction, type Outcome } from './admin/action-outcome';
export { UserSessions, type SessionList, type SessionView } from './sessions/user-sessions.service';
export { AccountReconciliation, type ReconcileOutcome, type ReconcileStep } from './admin/account-reconciliation';
export {
  AUTH_ADMIN_PORT,
  AdminPortError,
  type AdminActor,
  type AuthAdminPort,
  type DirectoryClientInfo,
  type DirectoryInfo,
  type DirectoryUser,
  type DirectoryUserDetail,
  type ProviderLock,
} from './providers/admin-port';
export { type LoginLockState } from './throttling/login-lockout.reader';
export { bearerToken } from './credentials/bearer';
export { assertOriginAllowed, type RequestCredential } from './credentials/request-credential';
export { sessionCookieNames } from './credentials/session-cookies';
export { MAX_TOKEN_LENGTH } from './tokens/jwt-parts';
export { RejectReason, TokenRejection, type VerifiedToken } from './tokens/verified-token';
export { CREDENTIALS_THROTTLER, CredentialThrottlerGuard, SENSITIVE_ROUTE_THROTTLER } from './throttling/credential-throttler.guard';
export { AWS_CREDENTIALS_ENV, COGNITO_CLIENT, cognitoClientSettings, type AwsEnv } from './providers/cognito/cognito-client.factory';
export { cognitoErrorName } from './providers/cognito/cognito-errors';
export { mfaOffWarning } from './providers/cognito/cognito-mfa-mode';
