import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../../common/principal';
import { APP_CONFIG } from '../../../config/config.module';
import type { AppConfig } from '../../../config/config.types';
import { UsersService } from '../../../users';
import { sessionMfaVerdict, sessionNeedsMfaCheck } from '../../account-rules';
import { BoundedKeySet, type SessionAdmission } from '../../sessions/session-admission';
import { SessionRevocations, sessionKeys } from '../../sessions/session-revocations';
import { RejectReason, TokenRejection, type VerifiedToken } from '../../tokens/verified-token';
import { COGNITO_ACTOR, CognitoIdentities } from './cognito-identities';

/**
 * How long a refused session stays revoked: Cognito's default refresh-token validity (30 days), because every access
 * token refreshed from the session carries the same `origin_jti`; after the preference is restored, a refreshed token
 * of the refused session would otherwise pass a fresh check.
 */
const REFUSED_SESSION_TTL_MS = 30 * 24 * 3600_000;

/**
 * #20.4, tokens that did not come through Gatehouse's /auth/login: a Cognito session (origin_jti; the token's jti or
 * bytes when it names none, as cognito-local's) is checked ONCE, at its first sight, against AdminGetUser's
 * UserMFASettingList when Gatehouse's row says TOTP is enrolled. If TOTP is off at Cognito (SetUserMFAPreference
 * behind Gatehouse), the session is refused (401 AUTH_TOKEN_REVOKED, SESSION_WITHOUT_MFA) and revoked, and TOTP is put
 * back (best effort). Sessions that passed are remembered per instance (bounded), so the hot path stays synchronous.
 */
@Injectable()
export class CognitoSessionAdmission implements SessionAdmission {
  private readonly log = new Logger(CognitoSessionAdmission.name);
  private readonly passedKeys = new BoundedKeySet();
  /** The verified-token objects already found passed (the verifier caches them): the hot path allocates nothing. */
  private readonly passedTokens = new WeakSet<VerifiedToken>();
  /** One check per session at a time: concurrent first requests of a session share it. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly issuer: string | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersService,
    private readonly identities: CognitoIdentities,
    private readonly revocations: SessionRevocations,
  ) {
    this.issuer = config.auth.cognito?.issuer;
  }

  passed(v: VerifiedToken): boolean {
    if (this.passedTokens.has(v) || v.issuer !== this.issuer) return true;
    if (!this.passedKeys.has(sessionKey(v))) return false;
    this.passedTokens.add(v);
    return true;
  }

  check(v: VerifiedToken, principal: Principal): Promise<void> {
    if (this.passed(v)) return Promise.resolve();
    const key = sessionKey(v);
    let running = this.inFlight.get(key);
    if (!running) {
      running = this.run(v, key, principal).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return running;
  }

  private async run(v: VerifiedToken, key: string, principal: Principal): Promise<void> {
    const user = await this.users.findById(principal.userId);
    if (!user || !sessionNeedsMfaCheck(user)) {
      this.passedKeys.add(key);
      return;
    }
    // A Cognito failure propagates (503 PROVIDER_UNAVAILABLE) and nothing is remembered: checked again next time.
    const facts = await this.identities.lookup(v.subject);
    const verdict = sessionMfaVerdict(user, facts ? facts.mfa.includes('SOFTWARE_TOKEN_MFA') : undefined);
    if (verdict === 'pass') {
      this.passedKeys.add(key);
      return;
    }
    await this.revocations.revoke(user.id, sessionKeys(v), 'session_without_mfa', new Date(Date.now() + REFUSED_SESSION_TTL_MS));
    const restored = facts ? await this.identities.restoreTotp(facts.username) : false;
    await this.users.recordEvent({ userId: user.id, actor: COGNITO_ACTOR, type: 'session.mfa_bypass_refused', detail: { restored } });
    this.log.warn({ userId: user.id, restored }, 'Cognito session without the enrolled second factor: refused and revoked');
    throw new TokenRejection(RejectReason.SESSION_WITHOUT_MFA, `user ${user.id}: TOTP off at Cognito (preference restored: ${restored})`);
  }
}

/** The session's strongest key: origin_jti, else the token's jti, else its hash (see sessionKeys). */
function sessionKey(v: VerifiedToken): string {
  return sessionKeys(v)[0] ?? `iss:${v.issuer}:${v.subject}:${v.issuedAtMs}`;
}
