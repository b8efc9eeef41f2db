import { EventEmitter2 } from '@nestjs/event-emitter';
import { Injectable, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthCoreModule } from '../../src/auth/auth-core.module';
import { Authenticator } from '../../src/auth/authenticator';
import { PrincipalResolver } from '../../src/auth/principal.resolver';
import { TokenVerifier } from '../../src/auth/tokens/token-verifier';
import type { AppError } from '../../src/common/errors/app-error';
import { startTestApp, TestApp } from '../support/app';
import { JwksIssuer } from '../support/jwks-issuer';
import { announced, userFactory } from '../support/user-factory';
import type { UserStatus } from '../../src/common/user-status';

const CLIENT = 'client-core';

/** What a feature module (admin, realtime, gateway) imports to authenticate its own entrance. */
const IMPORTABLE_AUTH = AuthCoreModule;

@Injectable()
class FeatureAService {
  constructor(
    readonly verifier: TokenVerifier,
    readonly authenticator: Authenticator,
    readonly principals: PrincipalResolver,
  ) {}
}
@Module({ imports: [IMPORTABLE_AUTH], providers: [FeatureAService] })
class FeatureAModule {}

@Injectable()
class FeatureBService {
  constructor(
    readonly verifier: TokenVerifier,
    readonly authenticator: Authenticator,
    readonly principals: PrincipalResolver,
  ) {}
}
@Module({ imports: [IMPORTABLE_AUTH, IMPORTABLE_AUTH], providers: [FeatureBService] })
class FeatureBModule {}

/** Issue 19.1/19.2: one auth core any module can import, and one Authenticator for every entrance (no HTTP here). */
describe('auth core: one verifier, one Authenticator', () => {
  const issuer = new JwksIssuer('local_core');
  let t: TestApp;
  let db: DataSource;
  let auth: Authenticator;

  const access = (sub: string, extra: Record<string, unknown> = {}) => ({ token: issuer.sign(issuer.accessClaims(sub, CLIENT, extra)), via: 'bearer' as const });
  const idToken = (sub: string, extra: Record<string, unknown> = {}) => ({
    token: issuer.sign(issuer.accessClaims(sub, CLIENT, { token_use: 'id', aud: CLIENT, client_id: undefined, ...extra })),
    via: 'bearer' as const,
  });
  const user = async (status: UserStatus = 'active') => {
    const sub = randomUUID();
    // Announced first: the insert's change notice would otherwise empty a cache the test fills before it arrives.
    return { sub, id: await announced(t.app.get(EventEmitter2), () => userFactory.row(db, { issuer: issuer.issuer, subject: sub, status })) };
  };
  const refusal = (p: Promise<unknown>) => p.then(() => 'admitted', (e: AppError) => `${e.status} ${e.code}`);
  const syncRefusal = (fn: () => unknown) => {
    try {
      fn();
      return 'admitted';
    } catch (e) {
      return `${(e as AppError).status} ${(e as AppError).code}`;
    }
  };

  beforeAll(async () => {
    await issuer.start();
    t = await startTestApp(
      { AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT },
      { extra: [FeatureAModule, FeatureBModule] },
    );
    db = t.app.get(DataSource);
    auth = t.app.get(Authenticator);
  });
  afterAll(async () => {
    await t?.close();
    await issuer.stop();
  });

  describe('one core, imported any number of times', () => {
    it('two feature modules (one importing it twice) and the app share ONE verifier, resolver and Authenticator', () => {
      const a = t.app.get(FeatureAService);
      const b = t.app.get(FeatureBService);
      const appVerifier = t.app.get(TokenVerifier, { strict: false });
      expect(a.verifier).toBe(b.verifier);
      expect(a.verifier).toBe(appVerifier);
      expect(a.principals).toBe(b.principals);
      expect(a.authenticator).toBe(b.authenticator);
      expect(a.authenticator).toBe(auth);
    });
  });

  describe('authenticate(credential, rules)', () => {
    it('admits an active user with an access token, then answers the same principal synchronously from the caches', async () => {
      const { sub, id } = await user();
      const cred = access(sub);
      expect(auth.cached(cred, {})).toBeUndefined();
      const principal = await auth.authenticate(cred, {});
      expect(principal).toMatchObject({ userId: id, subject: sub, provider: 'cognito', tokenUse: 'access', status: 'active' });
      // The hot path: no promise, the same principal.
      const again = auth.cached(cred, {});
      expect(again).not.toBeInstanceOf(Promise);
      expect(again).toBe(principal);
    });

    it('no credential: AUTH_TOKEN_MISSING, unless the rules serve anonymous callers; a public rule looks at nothing', async () => {
      expect(await refusal(auth.authenticate(undefined, {}))).toBe('401 AUTH_TOKEN_MISSING');
      expect(syncRefusal(() => auth.anonymous({}))).toBe('401 AUTH_TOKEN_MISSING');
      await expect(auth.authenticate(undefined, { optional: true })).resolves.toBeUndefined();
      await expect(auth.authenticate({ token: 'garbage', via: 'bearer' }, { public: true })).resolves.toBeUndefined();
    });

    it('refuses tampered, expired and untrusted tokens with the stable 401 codes', async () => {
      const { sub } = await user();
      const good = access(sub).token;
      expect(await refusal(auth.authenticate({ token: good.slice(0, -4) + 'AAAA', via: 'bearer' }, {}))).toBe('401 AUTH_TOKEN_INVALID');
      const past = Math.floor(Date.now() / 1000) - 7200;
      expect(await refusal(auth.authenticate(access(sub, { iat: past, exp: past + 60 }), {}))).toBe('401 AUTH_TOKEN_EXPIRED');
      expect(await refusal(auth.authenticate(access(sub, { client_id: 'another-client' }), {}))).toBe('401 AUTH_TOKEN_INVALID');
      // A token that fails on an optional route is still refused: optional means "anonymous allowed", not "anything goes".
      expect(await refusal(auth.authenticate({ token: 'a.b.c', via: 'bearer' }, { optional: true }))).toBe('401 AUTH_TOKEN_INVALID');
    });

    it('an ID token only where the rules accept one, and a refused ID token provisions nobody', async () => {
      const { sub } = await user();
      const id = idToken(sub);
      expect(await refusal(auth.authenticate(id, {}))).toBe('401 AUTH_TOKEN_INVALID');
      await expect(auth.authenticate(id, { acceptIdToken: true })).resolves.toMatchObject({ subject: sub, tokenUse: 'id' });
      // Cached now: the sync path applies the same rule.
      expect(auth.cached(id, { acceptIdToken: true })).toMatchObject({ subject: sub });
      expect(syncRefusal(() => auth.cached(id, {}))).toBe('401 AUTH_TOKEN_INVALID');

      const stranger = randomUUID();
      expect(await refusal(auth.authenticate(idToken(stranger, { email: `${stranger}@example.com`, email_verified: true }), {}))).toBe('401 AUTH_TOKEN_INVALID');
      expect(await db.query(`SELECT 1 FROM auth.users WHERE subject = $1`, [stranger])).toEqual([]);
    });

    it('the status gate: blocked users get their code, pending users ONBOARDING_INCOMPLETE unless allowed or optional', async () => {
      const suspended = await user('suspended');
      expect(await refusal(auth.authenticate(access(suspended.sub), {}))).toBe('403 USER_SUSPENDED');
      expect(await refusal(auth.authenticate(access(suspended.sub), { optional: true }))).toBe('403 USER_SUSPENDED');

      const pending = await user('pending_approval');
      const cred = access(pending.sub);
      await expect(auth.authenticate(cred, {})).rejects.toMatchObject({ status: 403, code: 'ONBOARDING_INCOMPLETE', extra: { status: 'pending_approval' } });
      await expect(auth.authenticate(cred, { allowStatus: ['pending_approval'] })).resolves.toMatchObject({ userId: pending.id });
      await expect(auth.authenticate(cred, { optional: true })).resolves.toMatchObject({ userId: pending.id });
      // Cached: the sync path refuses the same way.
      expect(syncRefusal(() => auth.cached(cred, {}))).toBe('403 ONBOARDING_INCOMPLETE');
      expect(auth.cached(cred, { allowStatus: ['pending_approval'] })).toMatchObject({ userId: pending.id });
    });

    it('roles: FORBIDDEN outside the allowed roles, on the slow and the cached path alike', async () => {
      const { sub } = await user();
      const plain = access(sub);
      expect(await refusal(auth.authenticate(plain, { roles: ['admin'] }))).toBe('403 FORBIDDEN');
      expect(syncRefusal(() => auth.cached(plain, { roles: ['admin'] }))).toBe('403 FORBIDDEN');
      const admin = access(sub, { 'cognito:groups': ['Admins'] });
      await expect(auth.authenticate(admin, { roles: ['admin'] })).resolves.toMatchObject({ role: 'admin' });
    });

    it('revocation: a token issued before the watermark is AUTH_TOKEN_REVOKED; a session cookie credential meets the same rules', async () => {
      const { sub, id } = await user();
      const past = Math.floor(Date.now() / 1000) - 60;
      const old = access(sub, { iat: past, auth_time: past });
      await db.query(`UPDATE auth.users SET tokens_valid_after = now() - interval '30 seconds' WHERE id = $1`, [id]);
      expect(await refusal(auth.authenticate(old, {}))).toBe('401 AUTH_TOKEN_REVOKED');
      const cookie = { token: access(sub).token, via: 'cookie' as const };
      await expect(auth.authenticate(cookie, {})).resolves.toMatchObject({ userId: id });
      expect(await refusal(auth.authenticate(cookie, { roles: ['auditor'] }))).toBe('403 FORBIDDEN');
    });
  });
});
