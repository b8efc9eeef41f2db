import type { Role } from '../config/config.types';
import type { UserAuthProvider, UserStatus } from './user-status';

/** How the caller proved who they are. */
export type TokenUse = 'access' | 'id' | 'bridge' | 'session' | 'dev';

/** The authenticated caller, attached to the request (REST) or the socket (realtime) by the one verifier. */
export interface Principal {
  userId: string;
  issuer: string;
  subject: string;
  email: string | null;
  role: Role;
  groups: string[];
  organizationId: string | null;
  status: UserStatus;
  provider: UserAuthProvider;
  tokenUse: TokenUse;
  scopes: string[];
  /** Seconds since epoch, from the token. */
  issuedAt?: number;
  expiresAt?: number;
  /** The sign-in session (local: the refresh family) the token belongs to, when it names one. */
  sessionId?: string;
  /** Milliseconds since epoch of the sign-in behind the token (`auth_time`), when the issuer says. */
  authTimeMs?: number;
}
