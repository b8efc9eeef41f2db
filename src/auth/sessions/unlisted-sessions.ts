import type { ProviderName } from '../../config/config.types';
import { AdminPortError } from '../providers/admin-port';
import type { SessionDirectory, SessionListing } from './session-directory';

/** What each provider without a session list can and cannot tell (shown in the answer's `note`). */
const NOTES: Record<Exclude<ProviderName, 'local'>, string> = {
  cognito:
    'Cognito does not list a user’s sessions or refresh tokens to an administrator, and cannot end one of them alone ' +
    '(RevokeToken needs the refresh token itself). Use revoke-all: AdminUserGlobalSignOut plus Gatehouse’s revocation watermark.',
  oidc: 'The OIDC issuer keeps the sessions; Gatehouse cannot list or end one of them. Use revoke-all: Gatehouse’s revocation watermark refuses every token issued so far.',
};

/** Cognito's and OIDC's answer: no list, no single revocation, and the reason why (never a silent empty list). */
export class UnlistedSessions implements SessionDirectory {
  constructor(readonly provider: Exclude<ProviderName, 'local'>) {}

  async list(): Promise<SessionListing> {
    return { listed: false, sessions: [], note: NOTES[this.provider] };
  }

  async revoke(): Promise<boolean> {
    throw new AdminPortError('NOT_SUPPORTED', `${this.provider}: no single-session revocation`);
  }
}
