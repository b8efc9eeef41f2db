import { Inject, Injectable } from '@nestjs/common';
import type { Principal, TokenUse } from '../common/principal';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { type UserEntity, UsersService } from '../users';
import { SessionRevocations } from './sessions/session-revocations';
import { ROLE_CLAIM_POLICY, type RoleClaimPolicy } from './role-claim-policy';
import { roleFor } from './tokens/role-mapping';
import { LOCAL_USER_ISSUER } from './tokens/key-source';
import { RejectReason, TokenRejection, VerifiedToken } from './tokens/verified-token';

/** The users row's issuer for a token: local users are stored under a constant, other issuers under their `iss`. */
function userIssuer(v: VerifiedToken): string {
  return v.provider === 'local' ? LOCAL_USER_ISSUER : v.issuer;
}

/** A principal built for a token, the row it came from, and the cache generations at which peek last confirmed both (NaN: never). */
interface Built {
  readonly row: object;
  readonly principal: Principal;
  users: number;
  revocations: number;
}

/**
 * Turns a verified token into the request's principal: finds (or, on first sight, provisions) the user by
 * (issuer, subject), applies the revocation watermark, and works out the role. Served from the user cache, so no
 * database round trip on the hot path; revocation still takes effect at once because the cache is evicted by the
 * database's change feed.
 */
@Injectable()
export class PrincipalResolver {
  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROLE_CLAIM_POLICY) private readonly roleClaim: RoleClaimPolicy,
    private readonly revocations: SessionRevocations,
  ) {}

  /** Principals already built, per verified token and the exact user row they were built from. */
  private readonly built = new WeakMap<VerifiedToken, Built>();

  /**
   * The principal when the user is already cached (no await on the hot path), else undefined. When neither the user
   * cache nor the revoked-session cache has changed since this token's principal was last peeked (their generations),
   * the row and the revoked set it was built from are still the ones cached, so it is answered without a look-up.
   */
  peek(v: VerifiedToken): Principal | undefined {
    const users = this.users.cacheGeneration();
    const revocations = this.revocations.generation;
    const prior = this.built.get(v);
    if (prior !== undefined && prior.users === users && prior.revocations === revocations) return prior.principal;
    const user = this.users.peekCachedByIssuerSubject(userIssuer(v), v.subject);
    const revoked = user && this.revocations.peek(user.id);
    if (!user || !revoked) return undefined;
    // Only a principal built from what both caches hold is stamped: one from rows read past them (resolve) never is.
    const built = this.builtFor(v, user, revoked);
    built.users = users;
    built.revocations = revocations;
    return built.principal;
  }

  /**
   * Callers apply the token-use rule first (an ID token only where a route accepts one): provisioning here persists
   * what the token says, so a token the route will refuse must never get this far.
   */
  async resolve(v: VerifiedToken): Promise<Principal> {
    let user = await this.users.findCachedByIssuerSubject(userIssuer(v), v.subject);
    if (!user) {
      // Gatehouse's own tokens are only minted for existing users: an unknown subject means a deleted account.
      if (v.provider === 'local') throw new TokenRejection(RejectReason.USER_UNKNOWN, `local subject ${v.subject}`);
      ({ user } = await this.users.provision(
        {
          issuer: v.issuer,
          subject: v.subject,
          authProvider: v.provider,
          email: v.email,
          emailVerified: v.emailVerified,
          fullName: v.name,
          // Never a role claim: the row records what groups said at first sight; the role used is worked out per request.
          role: roleFor(v.groups, this.config.auth.roleGroupMap, null),
          organizationId: this.tenantClaim(v),
        },
        `token:${v.provider}`,
      ));
    }
    return this.builtFor(v, user, await this.revocations.load(user.id)).principal;
  }

  private builtFor(v: VerifiedToken, user: UserEntity, revokedSessions: ReadonlySet<string>): Built {
    // Offline verifiers cannot do this: a token issued before the user's watermark (sign-out everywhere, password
    // reset, suspension) is refused even though its signature and exp are fine. A token refreshed after the watermark
    // from a session that began before it (auth_time, kept by Cognito's refreshes) is refused too.
    const since = Math.min(v.issuedAtMs, v.authTimeMs ?? v.issuedAtMs);
    if (user.tokensValidAfter && since < user.tokensValidAfter.getTime()) {
      throw new TokenRejection(RejectReason.REVOKED_WATERMARK, `session from ${since} before watermark ${user.tokensValidAfter.getTime()}`);
    }
    // The same for one session: a refresh family revoked (reuse, a changed second factor) or a hosted-login logout.
    if (SessionRevocations.isRevoked(revokedSessions, v)) throw new TokenRejection(RejectReason.SESSION_REVOKED);
    // The user cache hands out the same row object until the row changes, so identity means "nothing changed".
    const prior = this.built.get(v);
    if (prior && prior.row === user) return prior;
    const principal: Principal = {
      userId: user.id,
      issuer: v.issuer,
      subject: v.subject,
      email: user.email ?? v.email,
      role: v.provider === 'local' ? user.role : this.role(v),
      groups: v.groups,
      organizationId: this.tenantClaim(v) ?? user.organizationId,
      status: user.status,
      provider: v.provider,
      tokenUse: v.tokenUse as TokenUse,
      scopes: v.scopes,
      issuedAt: v.issuedAt,
      expiresAt: v.expiresAt,
      ...(v.sessionId ? { sessionId: v.sessionId } : {}),
      ...(v.authTimeMs !== undefined ? { authTimeMs: v.authTimeMs } : {}),
    };
    const built: Built = { row: user, principal: Object.freeze(principal), users: NaN, revocations: NaN };
    this.built.set(v, built);
    return built;
  }

  /**
   * `custom:organizationId` only when the policy proved no app client can write it; otherwise a user could put
   * themself in any tenant with UpdateUserAttributes (issue 20.8).
   */
  private tenantClaim(v: VerifiedToken): string | null {
    return this.roleClaim.tenantTrusted ? v.organizationId : null;
  }

  private role(v: VerifiedToken): Principal['role'] {
    const trustClaim = this.config.auth.trustRoleClaim && this.roleClaim.trusted && v.tokenUse === 'id';
    return roleFor(v.groups, this.config.auth.roleGroupMap, trustClaim ? v.roleClaim : null);
  }
}
