/** The local provider's stored records as its repositories hand them out, and the one reader of raw query results. */

export type CodePurpose = 'email_verification' | 'password_reset';

export interface LocalCredentials {
  userId: string;
  passwordHash: string;
  passwordChangedAt: Date;
  totpSecretEnc: string | null;
  totpPendingEnc: string | null;
  totpLastStep: number | null;
  totpEnabledAt: Date | null;
  /** Set for a temporary password (admin-made): the next sign-in must choose a new one first. */
  mustChangePassword: boolean;
}

export interface StoredCode {
  id: string;
  codeHash: string;
  attempts: number;
  expired: boolean;
  used: boolean;
}

/** Where a refresh token went: the request's client address and user agent. */
export interface SessionClient {
  ip?: string;
  userAgent?: string;
}

export interface StoredRefreshToken {
  id: string;
  userId: string;
  familyId: string;
  expired: boolean;
  rotated: boolean;
  revoked: boolean;
  createdAt: Date;
}

/** What a challenge session stands for: the second factor, or choosing a new password instead of a temporary one. */
export type ChallengeKind = 'mfa' | 'new_password';

export interface StoredChallenge {
  id: string;
  userId: string;
  secretHash: string;
  createdAt: Date;
  kind: ChallengeKind;
}

export type Row = Record<string, unknown>;

/** TypeORM's Postgres driver answers UPDATE/DELETE … RETURNING with `[rows, rowCount]`. */
export function rowsOf(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  if (Array.isArray(result)) return result as Row[];
  throw new Error('unexpected query result shape');
}

