import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UsersService } from '../../src/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { AuthProbeModule } from '../support/auth-probe';
import { JwksIssuer } from '../support/jwks-issuer';
import { LogCapture } from '../support/log-capture';
import { setStatus, userFactory } from '../support/user-factory';
import { waitFor } from '../support/wait-for';

const CLIENT = 'client-access';
const BRIDGE_SECRET = 'bridge-secret-for-tests-0123456789abcdef';

describe('principal, roles, status gates, provisioning and revocation', () => {
  const issuer = new JwksIssuer('local_access');
  let a: TestApp;
  let b: TestApp;
  let db: DataSource;
  const logs = new LogCapture();
  /** A 401 with the code the client sees; the reason the log line keeps (both instances log into `logs`). */
  const refused = async (app: TestApp, tok: string, reason: string, code = 'AUTH_TOKEN_INVALID', path?: string) => {
    const res = await get(app, tok, path);
    expect([res.status, res.body.error?.code]).toEqual([401, code]);
    expect(logs.rejectionReason(res.body.error.requestId)).toBe(reason);
  };

  const env = () => ({
    AUTH_PROVIDER: 'cognito',
    COGNITO_ENDPOINT: issuer.base,
    COGNITO_USER_POOL_ID: issuer.pool,
    COGNITO_CLIENT_ID: CLIENT,
    JWT_SECRET_KEY: BRIDGE_SECRET,
    JWT_SECRET_ISSUER: 'urn:test:bridge',
    JWT_EXPIRATION_HOURS: '2',
    LOG_LEVEL: 'info',
  });
  const token = (sub: string, extra: Record<string, unknown> = {}) => issuer.sign(issuer.accessClaims(sub, CLIENT, extra));
  const get = (app: TestApp, tok: string, path = '/api/v1/probe/whoami') => request(app.url).get(path).set('Authorization', `Bearer ${tok}`);
  const activeUser = async () => {
    const sub = randomUUID();
    const id = await userFactory.row(db, { issuer: issuer.issuer, subject: sub });
    return { sub, id };
  };

  beforeAll(async () => {
    await issuer.start();
    // Two instances on one database, like two replicas behind a load balancer.
    a = await startTestApp(env(), { extra: [AuthProbeModule], logDestination: logs.stream });
    b = await startTestApp(env(), { extra: [AuthProbeModule], logDestination: logs.stream });
    db = a.app.get(DataSource);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await issuer.stop();
  });

  describe('roles', () => {
    it('maps cognito:groups to roles and @Roles allows and denies', async () => {
      const { sub } = await activeUser();
      const admin = token(sub, { 'cognito:groups': ['Admins'] });
      expect((await get(a, admin).expect(200)).body).toMatchObject({ role: 'admin', groups: ['Admins'] });
      await get(a, admin, '/api/v1/probe/admin').expect(200);
      await get(a, admin, '/api/v1/probe/audit').expect(200);

      const auditor = token(sub, { 'cognito:groups': ['Auditors', 'Other'] });
      await get(a, auditor, '/api/v1/probe/audit').expect(200);
      const denied = await get(a, auditor, '/api/v1/probe/admin').expect(403);
      expect(denied.body.error.code).toBe('FORBIDDEN');

      const plain = token(sub);
      expect((await get(a, plain).expect(200)).body.role).toBe('user');
      await get(a, plain, '/api/v1/probe/audit').expect(403);
    });

    it('ignores custom:role unless TRUST_ROLE_CLAIM (off by default)', async () => {
      const { sub } = await activeUser();
      const id = issuer.sign(issuer.accessClaims(sub, CLIENT, { token_use: 'id', aud: CLIENT, client_id: undefined, 'custom:role': 'admin' }));
      expect((await get(a, id, '/api/v1/probe/id-ok').expect(200)).body.role).toBe('user');
    });

    it('carries scopes into the principal; custom:organizationId only where no app client can write it (issue 20.8)', async () => {
      const { sub } = await activeUser();
      // This stub issuer is no user pool: the start-up check cannot list its app clients, so the tenant claim is
      // unproved and ignored (test/e2e/cognito/cognito-claims.e2e-spec.ts covers a pool that proves it read-only).
      const res = await get(a, token(sub, { 'custom:organizationId': 'org-7', scope: 'openid profile' })).expect(200);
      expect(res.body).toMatchObject({ organizationId: null, scopes: ['openid', 'profile'] });
    });
  });

  describe('status gates', () => {
    it.each([
      ['suspended', 'USER_SUSPENDED'],
      ['disabled', 'USER_DISABLED'],
      ['rejected', 'USER_REJECTED'],
    ] as const)('a %s user gets 403 %s', async (status, code) => {
      const sub = randomUUID();
      await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status });
      const res = await get(a, token(sub)).expect(403);
      expect(res.body.error.code).toBe(code);
    });

    it('a pending user gets 403 ONBOARDING_INCOMPLETE with the current status on active-only routes', async () => {
      const sub = randomUUID();
      await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status: 'pending_mfa' });
      const res = await get(a, token(sub)).expect(403);
      expect(res.body.error).toMatchObject({ code: 'ONBOARDING_INCOMPLETE', status: 'pending_mfa' });
    });

    it('GET /users/me serves every status but disabled', async () => {
      for (const status of ['pending_verification', 'pending_approval', 'suspended', 'rejected', 'active'] as const) {
        const sub = randomUUID();
        const id = await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status });
        const res = await get(a, token(sub), '/api/v1/users/me').expect(200);
        expect(res.body).toMatchObject({ id, status, provider: 'cognito', role: 'user' });
      }
      const sub = randomUUID();
      await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status: 'disabled' });
      expect((await get(a, token(sub), '/api/v1/users/me').expect(403)).body.error.code).toBe('USER_DISABLED');
    });

    it('a suspension made anywhere reaches every instance within a second', async () => {
      const { sub, id } = await activeUser();
      const tok = token(sub);
      await get(a, tok).expect(200);
      await get(b, tok).expect(200); // both instances now hold the user in cache
      await setStatus(db, id, 'suspended');
      await waitFor(async () => (await get(b, tok)).status === 403, { timeoutMs: 1_000 });
      expect((await get(a, tok)).body.error.code).toBe('USER_SUSPENDED');
    });
  });

  describe('public and optional routes', () => {
    it('@Public routes need nothing', async () => {
      await request(a.url).get('/api/v1/probe/open').expect(200, { open: true });
    });

    it('@OptionalAuth serves anonymous callers, rejects bad tokens, attaches good ones', async () => {
      await request(a.url).get('/api/v1/probe/optional').expect(200, { principal: null });
      await refused(a, 'garbage.token.here', 'MALFORMED', 'AUTH_TOKEN_INVALID', '/api/v1/probe/optional');
      const sub = randomUUID();
      await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status: 'pending_approval' });
      const res = await get(a, token(sub), '/api/v1/probe/optional').expect(200);
      expect(res.body.principal).toMatchObject({ subject: sub, status: 'pending_approval' });
    });
  });

  describe('just-in-time provisioning', () => {
    it('concurrent first requests create exactly one user and one audit row', async () => {
      const sub = randomUUID();
      const tok = token(sub);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => get(i % 2 ? a : b, tok, '/api/v1/users/me')));
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
      const rows: Array<{ id: string; status: string }> = await db.query('SELECT id, status FROM auth.users WHERE issuer = $1 AND subject = $2', [issuer.issuer, sub]);
      expect(rows).toHaveLength(1);
      expect(new Set(results.map((r) => r.body.id))).toEqual(new Set([rows[0]!.id]));
      // An access token says nothing about the email: the user starts at the first rung.
      expect(rows[0]!.status).toBe('pending_verification');
      const events: Array<{ type: string }> = await db.query('SELECT type FROM auth.user_events WHERE user_id = $1', [rows[0]!.id]);
      expect(events.map((e) => e.type)).toEqual(['user.provisioned']);
    });

    it('a Cognito user with a verified email starts at pending_approval, with email and name from the claims', async () => {
      const sub = randomUUID();
      const email = `jit-${sub}@example.com`;
      const id = issuer.sign(issuer.accessClaims(sub, CLIENT, { token_use: 'id', aud: CLIENT, client_id: undefined, email, email_verified: 'true', name: 'Ada L' }));
      await get(a, id, '/api/v1/probe/id-ok').expect(403); // pending users may not use an active-only route…
      const rows: Array<{ status: string; email: string; full_name: string; email_verified: boolean }> = await db.query('SELECT * FROM auth.users WHERE subject = $1', [sub]);
      expect(rows[0]).toMatchObject({ status: 'pending_approval', email, full_name: 'Ada L', email_verified: true }); // …but they exist now
    });

    it('an email already owned by another identity is a 409, never a silent link', async () => {
      const email = `owned-${randomUUID()}@example.com`;
      await db.query(`INSERT INTO auth.users (issuer, subject, auth_provider, email) VALUES ('https://elsewhere.example', $1, 'oidc', $2)`, [randomUUID(), email]);
      const id = issuer.sign(issuer.accessClaims(randomUUID(), CLIENT, { token_use: 'id', aud: CLIENT, client_id: undefined, email, email_verified: true }));
      const res = await get(a, id, '/api/v1/probe/id-ok').expect(409);
      expect(res.body.error.code).toBe('EMAIL_IN_USE');
    });
  });

  describe('revocation', () => {
    it('after sign-out-everywhere the old token is refused on every instance within a second; a newer one works', async () => {
      const { sub, id } = await activeUser();
      const old = token(sub);
      await get(a, old).expect(200);
      await get(b, old).expect(200);
      await a.app.get(UsersService).revokeTokens(id, `user:${id}`, 'sign-out');
      const took = await waitFor(async () => (await get(b, old)).status === 401, { timeoutMs: 1_000 });
      await refused(b, old, 'REVOKED_WATERMARK', 'AUTH_TOKEN_REVOKED');
      await refused(a, old, 'REVOKED_WATERMARK', 'AUTH_TOKEN_REVOKED');
      expect(took).toBeLessThan(1_000);
      // A token of a sign-in after the watermark (next second: iat and auth_time have one-second resolution for Cognito
      // tokens). A token refreshed from the earlier session keeps the earlier auth_time and stays refused.
      const now = Math.floor(Date.now() / 1000) + 1;
      await refused(a, token(sub, { iat: now, auth_time: now - 2, exp: now + 3600 }), 'REVOKED_WATERMARK', 'AUTH_TOKEN_REVOKED');
      await get(a, token(sub, { iat: now, auth_time: now, exp: now + 3600 })).expect(200);
      const events: Array<{ type: string }> = await db.query(`SELECT type FROM auth.user_events WHERE user_id = $1`, [id]);
      expect(events.map((e) => e.type)).toContain('tokens.revoked');
    });
  });

  it('suspension through the ladder revokes: after reinstatement the old token stays dead', async () => {
    const { OnboardingService } = await import('../../src/users/onboarding/onboarding.service');
    const { sub, id } = await activeUser();
    const old = token(sub);
    await get(a, old).expect(200);
    const ladder = a.app.get(OnboardingService);
    await ladder.apply(id, 'SUSPENDED', 'admin:test');
    // The instance that made the change refuses at once: it does not wait for its own notice.
    await refused(a, old, 'REVOKED_WATERMARK', 'AUTH_TOKEN_REVOKED');
    const later = Math.floor(Date.now() / 1000) + 1;
    const fresh = token(sub, { iat: later, auth_time: later, exp: later + 3600 });
    expect((await get(a, fresh).expect(403)).body.error.code).toBe('USER_SUSPENDED');
    await ladder.apply(id, 'REINSTATED', 'admin:test');
    await get(a, fresh).expect(200);
    expect((await get(a, old)).body.error.code).toBe('AUTH_TOKEN_REVOKED');
    const events: Array<{ type: string; from_status: string; to_status: string }> = await db.query(`SELECT type, from_status, to_status FROM auth.user_events WHERE user_id = $1 ORDER BY id`, [id]);
    expect(events).toEqual([
      { type: 'status.suspended', from_status: 'active', to_status: 'suspended' },
      { type: 'status.reinstated', from_status: 'suspended', to_status: 'active' },
    ]);
  });

  describe('shared-secret bridge (HS256 only for its own issuer)', () => {
    const bridgeClaims = (sub: string, extra: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return { iss: 'urn:test:bridge', sub, iat: now, exp: now + 3600, email: `${sub}@front.example`, ...extra };
    };

    it('accepts an HS256 token from the configured bridge issuer', async () => {
      const sub = randomUUID();
      await userFactory.row(db, { issuer: 'urn:test:bridge', subject: sub, provider: 'bridge' });
      const res = await get(a, jwt.sign(bridgeClaims(sub), BRIDGE_SECRET, { algorithm: 'HS256' })).expect(200);
      expect(res.body).toMatchObject({ provider: 'bridge', tokenUse: 'bridge', subject: sub });
    });

    it('refuses the bridge secret for another issuer, RS256 for the bridge, and over-long lifetimes', async () => {
      const sub = randomUUID();
      await userFactory.row(db, { issuer: 'urn:test:bridge', subject: sub, provider: 'bridge' });
      await refused(a, jwt.sign(issuer.accessClaims(sub, CLIENT), BRIDGE_SECRET, { algorithm: 'HS256', header: { alg: 'HS256', kid: issuer.key.kid } }), 'ALG_NOT_ALLOWED');
      await refused(a, issuer.sign(bridgeClaims(sub)), 'ALG_NOT_ALLOWED');
      const now = Math.floor(Date.now() / 1000);
      await refused(a, jwt.sign(bridgeClaims(sub, { exp: now + 3 * 3600 }), BRIDGE_SECRET, { algorithm: 'HS256' }), 'LIFETIME_TOO_LONG');
      await refused(a, jwt.sign(bridgeClaims(sub), 'another-secret-of-enough-length-1234567', { algorithm: 'HS256' }), 'SIGNATURE_INVALID');
    });
  });
});
