import type { UserAuthProvider } from '../../common/user-status';

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

/** Why a token was refused: `code` is what the client sees, `reason` goes to the log only. */
export class TokenRejection extends Error {
  constructor(
    readonly code: 'AUTH_TOKEN_INVALID' | 'AUTH_TOKEN_EXPIRED' | 'AUTH_TOKEN_REVOKED',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'TokenRejection';
  }
}
