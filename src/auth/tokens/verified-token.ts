import type { UserAuthProvider } from '../../common/user-status';
import { REJECT_CODES, RejectReason, type TokenRejectionCode } from './reject-reason';

export { RejectReason } from './reject-reason';

/** What a verified token says, in Gatehouse's terms: the claims that matter, already type-checked. */
export interface VerifiedToken {
  issuer: string;
  subject: string;
  provider: UserAuthProvider;
  tokenUse: 'access' | 'id' | 'bridge';
  /** Seconds since epoch. */
  issuedAt: number;
  /** Milliseconds since epoch; sub-second precision only for Gatehouse's own tokens (iat_ms), else iat * 1000. */
  issuedAtMs: number;
  /** `auth_time` (the sign-in the session began with, kept by Cognito's refreshed tokens) in ms, when the token has it. */
  authTimeMs?: number;
  expiresAt: number;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  groups: string[];
  scopes: string[];
  organizationId: string | null;
  /** `custom:role` as presented; only honoured where the policy trusts it. */
  roleClaim: string | null;
  /** The sign-in session the token belongs to: local `sid` (the refresh family), Cognito `origin_jti`, OIDC `sid`. */
  sessionId?: string | null;
  /** The token's own `jti`. */
  tokenId?: string | null;
  /** SHA-256 (base64url) of the whole token: the revocation key of a token with neither session nor id. */
  tokenHash?: string;
}

/**
 * Why a token was refused: `code` (derived from the reason) is what the client sees; `reason` (the closed
 * vocabulary) and `detail` (free text: the kid, the issuer, the claim) go to the log only.
 */
export class TokenRejection extends Error {
  readonly code: TokenRejectionCode;

  constructor(
    readonly reason: RejectReason,
    readonly detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'TokenRejection';
    this.code = REJECT_CODES[reason];
  }
}
