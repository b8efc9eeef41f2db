/**
 * Why a token (or the credential carrying it) was refused: a closed vocabulary, so each attack can be asserted
 * exactly in tests and refusals can be counted in the logs. Clients never see it: they get one generic 401 whose
 * code (REJECT_CODES) only tells expired and revoked apart from everything else.
 */
export enum RejectReason {
  /** The Authorization header is not one well-formed bearer credential, or the session cookie is not a token. */
  CREDENTIAL_MALFORMED = 'CREDENTIAL_MALFORMED',
  /** Not a JWS compact token: size, segments, base64url, JSON objects, a string `alg`. */
  MALFORMED = 'MALFORMED',
  /** A `crit` header: extensions we do not understand make the token invalid (RFC 7515 §4.1.11). */
  CRIT_UNSUPPORTED = 'CRIT_UNSUPPORTED',
  /** `iss` missing, not a string, or not exactly a configured issuer. */
  ISSUER_UNKNOWN = 'ISSUER_UNKNOWN',
  /** `alg` is not the issuer's (`none`, HS256 against a key set: key confusion). */
  ALG_NOT_ALLOWED = 'ALG_NOT_ALLOWED',
  /** A `kid` that is not a short plain name (path traversal, SQL text, 10 kB kids). */
  KID_MALFORMED = 'KID_MALFORMED',
  /** No `kid` where the issuer's key set needs one. */
  KID_MISSING = 'KID_MISSING',
  /** No key for this `kid` in the issuer's configured source, even after the rate-limited refetch. */
  KID_UNKNOWN = 'KID_UNKNOWN',
  SIGNATURE_INVALID = 'SIGNATURE_INVALID',
  EXPIRED = 'EXPIRED',
  /** `nbf` in the future beyond the clock skew. */
  NOT_YET_VALID = 'NOT_YET_VALID',
  /** `iat` in the future beyond the clock skew. */
  IAT_IN_FUTURE = 'IAT_IN_FUTURE',
  /** A claim Gatehouse reads is missing or of the wrong type or shape (`sub`, `exp`, `iat`, groups, `iat_ms`, …). */
  CLAIM_INVALID = 'CLAIM_INVALID',
  /** The bridge's token lives longer than JWT_EXPIRATION_HOURS. */
  LIFETIME_TOO_LONG = 'LIFETIME_TOO_LONG',
  AUDIENCE_MISMATCH = 'AUDIENCE_MISMATCH',
  /** A Cognito access token for another app client. */
  CLIENT_ID_MISMATCH = 'CLIENT_ID_MISMATCH',
  /** `token_use` is not one this issuer's tokens may carry (a refresh token, none at all). */
  TOKEN_USE_MISMATCH = 'TOKEN_USE_MISMATCH',
  /** An ID token on a route that takes access tokens only (no @AcceptIdToken()). */
  ID_TOKEN_NOT_ACCEPTED = 'ID_TOKEN_NOT_ACCEPTED',
  /** Gatehouse's own token for a user that no longer exists. */
  USER_UNKNOWN = 'USER_UNKNOWN',
  /** Issued (or its session begun) before the user's revocation watermark: sign-out everywhere, reset, suspension. */
  REVOKED_WATERMARK = 'REVOKED_WATERMARK',
  /** Its session or the token itself was revoked: refresh-family reuse, a changed factor, hosted-login logout. */
  SESSION_REVOKED = 'SESSION_REVOKED',
  /**
   * The user's row says a second factor is enrolled, but at the first sight of this session the provider reported it
   * switched off (Cognito's SetUserMFAPreference behind Gatehouse): the session may have begun without it (#20.4).
   */
  SESSION_WITHOUT_MFA = 'SESSION_WITHOUT_MFA',
  /** Verification failed in a way not named above (fail closed). */
  VERIFICATION_FAILED = 'VERIFICATION_FAILED',
}

export type TokenRejectionCode = 'AUTH_TOKEN_INVALID' | 'AUTH_TOKEN_EXPIRED' | 'AUTH_TOKEN_REVOKED';

/** The client-facing code for each reason: expiry and revocation are told apart (a client refreshes or signs in). */
export const REJECT_CODES: Readonly<Record<RejectReason, TokenRejectionCode>> = {
  [RejectReason.CREDENTIAL_MALFORMED]: 'AUTH_TOKEN_INVALID',
  [RejectReason.MALFORMED]: 'AUTH_TOKEN_INVALID',
  [RejectReason.CRIT_UNSUPPORTED]: 'AUTH_TOKEN_INVALID',
  [RejectReason.ISSUER_UNKNOWN]: 'AUTH_TOKEN_INVALID',
  [RejectReason.ALG_NOT_ALLOWED]: 'AUTH_TOKEN_INVALID',
  [RejectReason.KID_MALFORMED]: 'AUTH_TOKEN_INVALID',
  [RejectReason.KID_MISSING]: 'AUTH_TOKEN_INVALID',
  [RejectReason.KID_UNKNOWN]: 'AUTH_TOKEN_INVALID',
  [RejectReason.SIGNATURE_INVALID]: 'AUTH_TOKEN_INVALID',
  [RejectReason.EXPIRED]: 'AUTH_TOKEN_EXPIRED',
  [RejectReason.NOT_YET_VALID]: 'AUTH_TOKEN_INVALID',
  [RejectReason.IAT_IN_FUTURE]: 'AUTH_TOKEN_INVALID',
  [RejectReason.CLAIM_INVALID]: 'AUTH_TOKEN_INVALID',
  [RejectReason.LIFETIME_TOO_LONG]: 'AUTH_TOKEN_INVALID',
  [RejectReason.AUDIENCE_MISMATCH]: 'AUTH_TOKEN_INVALID',
  [RejectReason.CLIENT_ID_MISMATCH]: 'AUTH_TOKEN_INVALID',
  [RejectReason.TOKEN_USE_MISMATCH]: 'AUTH_TOKEN_INVALID',
  [RejectReason.ID_TOKEN_NOT_ACCEPTED]: 'AUTH_TOKEN_INVALID',
  [RejectReason.USER_UNKNOWN]: 'AUTH_TOKEN_INVALID',
  [RejectReason.REVOKED_WATERMARK]: 'AUTH_TOKEN_REVOKED',
  [RejectReason.SESSION_REVOKED]: 'AUTH_TOKEN_REVOKED',
  [RejectReason.SESSION_WITHOUT_MFA]: 'AUTH_TOKEN_REVOKED',
  [RejectReason.VERIFICATION_FAILED]: 'AUTH_TOKEN_INVALID',
};
