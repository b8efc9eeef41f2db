import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { sessionCookieNames } from '../../../src/auth/credentials/session-cookies';
import { OnboardingService } from '../../../src/users/onboarding/onboarding.service';
import { UsersService } from '../../../src/users/users.service';
import type { UserStatus } from '../../../src/common/user-status';
import { startTestApp, TestApp } from '../../support/app';
import { JwksIssuer } from '../../support/jwks-issuer';
import { LogCapture } from '../../support/log-capture';
import { connectRealtime, disconnected, nextEvent } from '../../support/realtime-client';
import { userFactory } from '../../support/user-factory';

const CLIENT = 'client-realtime';
const APP_ORIGIN = 'https://app.realtime.test';

/**
 * The realtime gateway against the running app with a real socket.io client: handshake admission by the same
 * Authenticator as REST (refusals are connect_error with REST's codes, never a connect), handler roles, live
 * onboarding status, sessions that end on time, and the limits.
 */
describe('realtime gateway (issue #14)', () => {
  const issuer = new JwksIssuer('local_realtime');
  const logs = new LogCapture();
  let t: TestApp;
  let db: DataSource;
  const open: Socket[] = [];

  const token = (sub: string, extra: Record<string, unknown> = {}) => issuer.sign(issuer.accessClaims(sub, CLIENT, extra));
  const user = async (status: UserStatus = 'active') => {
    const sub = randomUUID();
    return { sub, id: await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status }) };
  };
  const connect = async (opts: Parameters<typeof connectRealtime>[1]) => {
    const h = await connectRealtime(t.url, opts);
    open.push(h.socket);
    return h;
  };
  const refused = async (opts: Parameters<typeof connectRealtime>[1]) => {
    const h = await connect(opts);
    expect(h.connected).toBe(false);
    expect(h.sawConnect()).toBe(false);
    return h.error!.data?.code;
  };

  beforeAll(async () => {
    await issuer.start();
    t = await startTestApp(
      {
        AUTH_PROVIDER: 'cognito',
        COGNITO_ENDPOINT: issuer.base,
        COGNITO_USER_POOL_ID: issuer.pool,
        COGNITO_CLIENT_ID: CLIENT,
        CORS_ORIGINS: APP_ORIGIN,
        LOG_LEVEL: 'info',
        WS_MAX_CONNECTIONS_PER_USER: '3',
        WS_MAX_MESSAGE_BYTES: '4096',
        WS_EVENTS_PER_SECOND: '2',
        WS_EVENT_BURST: '5',
      },
      { logDestination: logs.stream },
    );
    db = t.app.get(DataSource);
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => {
    await t?.close();
    await issuer.stop();
  });

  describe('handshake: each token source is accepted', () => {
    it('auth.token (preferred)', async () => {
      const { sub, id } = await user();
      const h = await connect({ auth: { token: token(sub) } });
      expect(h.connected).toBe(true);
      expect(await h.socket.timeout(3000).emitWithAck('whoami')).toMatchObject({ userId: id, status: 'active', role: 'user' });
    });

    it('the Authorization header', async () => {
      const { sub, id } = await user();
      const h = await connect({ extraHeaders: { authorization: `Bearer ${token(sub)}` } });
      expect(await h.socket.timeout(3000).emitWithAck('whoami')).toMatchObject({ userId: id });
    });

    it('the token query parameter, and its URL is never logged', async () => {
      const { sub, id } = await user();
      const tok = token(sub);
      const h = await connect({ query: { token: tok } });
      expect(await h.socket.timeout(3000).emitWithAck('whoami')).toMatchObject({ userId: id });
      const polling = await connect({ query: { token: tok }, transports: ['polling'] });
      expect(polling.connected).toBe(true);
      expect(JSON.stringify(logs.lines)).not.toContain(tok.slice(-40));
    });

    it('the hosted-login session cookie with an Origin from CORS_ORIGINS', async () => {
      const { sub, id } = await user();
      const cookie = `${sessionCookieNames(false).session}=${token(sub)}`;
      const h = await connect({ extraHeaders: { cookie, origin: APP_ORIGIN } });
      expect(await h.socket.timeout(3000).emitWithAck('whoami')).toMatchObject({ userId: id });
    });
  });

  describe('handshake: refusals are connect_error with the REST code, never a connect', () => {
    it('missing', async () => {
      expect(await refused({})).toBe('AUTH_TOKEN_MISSING');
    });

    it('expired', async () => {
      const { sub } = await user();
      const now = Math.floor(Date.now() / 1000);
      expect(await refused({ auth: { token: token(sub, { iat: now - 7200, auth_time: now - 7200, exp: now - 3600 }) } })).toBe('AUTH_TOKEN_EXPIRED');
    });

    it('tampered', async () => {
      const { sub } = await user();
      const [h, p, s] = token(sub).split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url')}.${s}`;
      expect(await refused({ auth: { token: forged } })).toBe('AUTH_TOKEN_INVALID');
    });

    it('another audience (app client)', async () => {
      const { sub } = await user();
      expect(await refused({ auth: { token: issuer.sign(issuer.accessClaims(sub, 'another-client')) } })).toBe('AUTH_TOKEN_INVALID');
    });

    it('revoked (issued before sign-out everywhere)', async () => {
      const { sub, id } = await user();
      const old = token(sub, { iat: Math.floor(Date.now() / 1000) - 5, auth_time: Math.floor(Date.now() / 1000) - 5 });
      await t.app.get(UsersService).revokeTokens(id, `user:${id}`, 'sign_out');
      expect(await refused({ auth: { token: old } })).toBe('AUTH_TOKEN_REVOKED');
    });

    it('a blocked user gets the status code', async () => {
      const { sub } = await user('suspended');
      expect(await refused({ auth: { token: token(sub) } })).toBe('USER_SUSPENDED');
    });

    it('the session cookie from a foreign Origin, or with none', async () => {
      const { sub } = await user();
      const cookie = `${sessionCookieNames(false).session}=${token(sub)}`;
      expect(await refused({ extraHeaders: { cookie, origin: 'https://evil.test' } })).toBe('ORIGIN_NOT_ALLOWED');
      expect(await refused({ extraHeaders: { cookie } })).toBe('ORIGIN_NOT_ALLOWED');
    });
  });

  describe('handlers: @Roles and @AllowStatus through the gateway guard, refusals as the ack', () => {
    it('admin.subscribe: denied to a user with FORBIDDEN, allowed to an admin', async () => {
      const u = await user();
      const h = await connect({ auth: { token: token(u.sub) } });
      expect(await h.socket.timeout(3000).emitWithAck('admin.subscribe')).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
      const a = await user();
      const admin = await connect({ auth: { token: token(a.sub, { 'cognito:groups': ['Admins'] }) } });
      expect(await admin.socket.timeout(3000).emitWithAck('admin.subscribe')).toEqual({ subscribed: true });
    });

    it('a pending user connects and may ask whoami, but an active-only handler answers ONBOARDING_INCOMPLETE', async () => {
      const a = await user('pending_approval');
      const h = await connect({ auth: { token: token(a.sub, { 'cognito:groups': ['Admins'] }) } });
      expect(await h.socket.timeout(3000).emitWithAck('whoami')).toMatchObject({ status: 'pending_approval' });
      expect(await h.socket.timeout(3000).emitWithAck('admin.subscribe')).toMatchObject({ error: { code: 'ONBOARDING_INCOMPLETE', status: 'pending_approval' } });
    });
  });

  describe('rooms: ladder changes are pushed', () => {
    it('a status change arrives as onboarding.status within a second, and admins hear admin.user.changed', async () => {
      const u = await user('pending_subscription');
      const h = await connect({ auth: { token: token(u.sub) } });
      const a = await user();
      const admin = await connect({ auth: { token: token(a.sub, { 'cognito:groups': ['Admins'] }) } });
      await admin.socket.timeout(3000).emitWithAck('admin.subscribe');
      const pushed = nextEvent(h.socket, 'onboarding.status', 1_000);
      const adminHeard = nextEvent(admin.socket, 'admin.user.changed', 1_000);
      await t.app.get(OnboardingService).apply(u.id, 'SUBSCRIPTION_CREATED', 'stripe');
      expect(await pushed).toEqual({ status: 'active', previous: 'pending_subscription' });
      expect(await adminHeard).toMatchObject({ userId: u.id, status: 'active', previous: 'pending_subscription', event: 'SUBSCRIPTION_CREATED' });
    });
  });

  describe('sessions end on time', () => {
    it('suspension closes the socket with session.revoked within a second', async () => {
      const u = await user();
      const h = await connect({ auth: { token: token(u.sub) } });
      const revoked = nextEvent(h.socket, 'session.revoked', 1_000);
      const gone = disconnected(h.socket, 1_500);
      await t.app.get(OnboardingService).apply(u.id, 'SUSPENDED', 'admin:test');
      // A suspension moves the watermark too, so the token is refused as revoked, exactly as REST refuses it.
      expect(await revoked).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
      await gone;
    });

    it('sign-out everywhere closes every socket of the user with session.revoked within a second', async () => {
      const u = await user();
      const one = await connect({ auth: { token: token(u.sub, { iat: Math.floor(Date.now() / 1000) - 2 }) } });
      const two = await connect({ auth: { token: token(u.sub, { iat: Math.floor(Date.now() / 1000) - 2 }) } });
      const events = [nextEvent(one.socket, 'session.revoked', 1_000), nextEvent(two.socket, 'session.revoked', 1_000)];
      await t.app.get(UsersService).revokeTokens(u.id, `user:${u.id}`, 'sign_out');
      for (const e of await Promise.all(events)) expect(e).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    });

    it('an expiring token closes the socket with session.expired when exp passes', async () => {
      const u = await user();
      const exp = Math.floor(Date.now() / 1000) + 2;
      const h = await connect({ auth: { token: token(u.sub, { exp }) } });
      const expired = await nextEvent<{ error: { code: string } }>(h.socket, 'session.expired', 4_000);
      expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
      expect(expired.error.code).toBe('AUTH_TOKEN_EXPIRED');
      await disconnected(h.socket, 1_000);
    });

    it('token.refresh for the same user extends it; a token for another user is refused and changes nothing', async () => {
      const u = await user();
      const other = await user();
      const exp = Math.floor(Date.now() / 1000) + 2;
      const h = await connect({ auth: { token: token(u.sub, { exp }) } });
      expect(await h.socket.timeout(3000).emitWithAck('token.refresh', { token: token(other.sub) })).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(await h.socket.timeout(3000).emitWithAck('whoami')).toMatchObject({ userId: u.id, expiresAt: exp });
      const fresh = Math.floor(Date.now() / 1000) + 3600;
      expect(await h.socket.timeout(3000).emitWithAck('token.refresh', { token: token(u.sub, { exp: fresh }) })).toEqual({ expiresAt: fresh });
      await expect(nextEvent(h.socket, 'session.expired', 3_000)).rejects.toThrow(/no session.expired/);
      expect(h.socket.connected).toBe(true);
      expect(await h.socket.timeout(3000).emitWithAck('whoami')).toMatchObject({ userId: u.id, expiresAt: fresh });
    });
  });

  describe('limits', () => {
    it('WS_MAX_CONNECTIONS_PER_USER: the new socket over the cap is refused with TOO_MANY_CONNECTIONS; a freed slot is reusable', async () => {
      const u = await user();
      const held = [];
      for (let i = 0; i < 3; i++) held.push(await connect({ auth: { token: token(u.sub) } }));
      expect(held.every((h) => h.connected)).toBe(true);
      expect(await refused({ auth: { token: token(u.sub) } })).toBe('TOO_MANY_CONNECTIONS');
      expect(held.every((h) => h.socket.connected)).toBe(true); // the open ones are not pushed off
      const gone = new Promise((r) => setTimeout(r, 200));
      held[0]!.socket.close();
      await gone;
      expect((await connect({ auth: { token: token(u.sub) } })).connected).toBe(true);
    });

    it('a message over WS_MAX_MESSAGE_BYTES closes the connection', async () => {
      const u = await user();
      const h = await connect({ auth: { token: token(u.sub) } });
      const gone = disconnected(h.socket, 2_000);
      h.socket.emit('whoami', 'x'.repeat(8_000));
      expect(await gone).toMatch(/transport (close|error)/);
    });

    it('the per-socket message rate: past the burst, messages are answered RATE_LIMITED', async () => {
      const u = await user();
      const h = await connect({ auth: { token: token(u.sub) } });
      const answers = await Promise.all(Array.from({ length: 8 }, () => h.socket.timeout(3000).emitWithAck('whoami') as Promise<{ error?: { code: string } }>));
      const limited = answers.filter((a) => a.error?.code === 'RATE_LIMITED').length;
      expect(limited).toBeGreaterThanOrEqual(2);
      expect(answers.length - limited).toBeGreaterThanOrEqual(5);
    });
  });

  describe('CORS: for the polling transport only', () => {
    const polling = (origin: string) => fetch(`${t.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });

    it('a polling handshake from an Origin in CORS_ORIGINS may be read with credentials; a foreign one may not', async () => {
      const ok = await polling(APP_ORIGIN);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
      expect((await polling('https://evil.test')).headers.get('access-control-allow-origin')).toBeNull();
    });

    it('the WebSocket upgrade is answered without CORS headers (browsers do not apply CORS to WebSockets)', async () => {
      const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
        const req = http.request(`${t.url}/socket.io/?EIO=4&transport=websocket`, {
          headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), origin: APP_ORIGIN },
        });
        req.once('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.headers);
        });
        req.once('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
        req.once('error', reject);
        req.end();
      });
      expect(headers.upgrade).toBe('websocket');
      expect(headers['access-control-allow-origin']).toBeUndefined();
      expect(headers['access-control-allow-credentials']).toBeUndefined();
    });
  });
});
