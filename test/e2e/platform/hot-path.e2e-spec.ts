import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Authenticator } from '../../../src/auth/authenticator';
import { SessionRevocations } from '../../../src/auth/sessions/session-revocations';
import { tokenDigest } from '../../../src/auth/tokens/verified-token.cache';
import type { Principal } from '../../../src/common/principal';
import { runWithRequestContext } from '../../../src/common/request-context';
import { UsersController } from '../../../src/users/users.controller';
import { startTestApp, TestApp } from '../../support/app';
import { requestShapes, RequestShapeProbeModule } from '../../support/probe';
import { JwksIssuer } from '../../support/jwks-issuer';
import { announced, setStatus, userFactory } from '../../support/user-factory';
import { waitFor } from '../../support/wait-for';

const CLIENT = 'client-hot';
/** /users/me's rules (it admits every status but disabled); the guard reads the same from the route's decorators. */
const ME_RULES = { allowStatus: ['pending_verification', 'pending_approval', 'pending_mfa', 'pending_subscription', 'suspended', 'rejected'] as const };

/**
 * Issue 10, the hot path: once a token has been verified and its user cached, an authenticated request does no await,
 * no database round trip and no signature check, and answers exactly what the slow path answered. Structure only:
 * speed itself is measured by `npm run bench`, never asserted here.
 */
describe('the hot path: a cached token and user', () => {
  const issuer = new JwksIssuer('local_hot');
  let t: TestApp;
  let db: DataSource;

  const token = (sub: string) => issuer.sign(issuer.accessClaims(sub, CLIENT));
  const me = (tok: string) => request(t.url).get('/api/v1/users/me').set('Authorization', `Bearer ${tok}`);
  const activeUser = async () => {
    const sub = randomUUID();
    // Announced first: the insert's change notice would otherwise empty the caches the test fills before it arrives.
    return { sub, id: await announced(t.app.get(EventEmitter2), () => userFactory.row(db, { issuer: issuer.issuer, subject: sub })) };
  };
  /** Counts every query any pg client of this process sends while `fn` runs. */
  const queriesDuring = async (fn: () => Promise<unknown>): Promise<number> => {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      await fn();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };

  beforeAll(async () => {
    await issuer.start();
    t = await startTestApp({ AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT }, { extra: [RequestShapeProbeModule] });
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await issuer.stop();
  });

  it('GET /users/me answers from memory: no query, the same body as the slow path', async () => {
    const { sub, id } = await activeUser();
    const tok = token(sub);
    let first: request.Response | undefined;
    // The spy sees the slow path's queries (the user row, the revoked sessions), so a zero below means something.
    expect(await queriesDuring(async () => (first = await me(tok).expect(200)))).toBeGreaterThan(0);
    expect(first!.body).toMatchObject({ id, status: 'active', provider: 'cognito' });
    let again: request.Response | undefined;
    expect(await queriesDuring(async () => (again = await me(tok).expect(200)))).toBe(0);
    expect(again!.body).toEqual(first!.body);
  });

  it('the handler is synchronous on a hit: it returns the profile itself, not a promise', async () => {
    const { sub, id } = await activeUser();
    const tok = token(sub);
    await me(tok).expect(200);
    const principal = t.app.get(Authenticator).cached({ token: tok, via: 'bearer' }, ME_RULES) as Principal;
    expect(principal).toMatchObject({ userId: id });
    // As inside a request: the guard's principal is read from the request context.
    const answer = runWithRequestContext({ requestId: 'hot-path', ip: null, userAgent: null, principal }, () => t.app.get(UsersController).me());
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toMatchObject({ id, status: 'active' });
  });

  it('every request is built with the fields the guard sets: an authenticated request has the own keys of a public one, in order', async () => {
    const { sub } = await activeUser();
    const tok = token(sub);
    await request(t.url).get('/api/v1/shape-probe/authenticated').set('Authorization', `Bearer ${tok}`).expect(200);
    await request(t.url).get('/api/v1/shape-probe/authenticated').set('Authorization', `Bearer ${tok}`).expect(200);
    await request(t.url).get('/api/v1/shape-probe/public').expect(200);
    expect(requestShapes.authenticated).toContain('principal');
    expect(requestShapes.public).toEqual(requestShapes.authenticated);
  });

  it('a changed row is answered at once: nothing per-request is kept past the row it came from', async () => {
    const { sub, id } = await activeUser();
    const tok = token(sub);
    expect((await me(tok).expect(200)).body.status).toBe('active');
    await setStatus(db, id, 'suspended');
    // The change feed evicts the row; the next answers are built from the new one.
    await waitFor(async () => (await me(tok)).body.status === 'suspended', { timeoutMs: 3_000 });
    expect((await me(tok).expect(200)).body).toMatchObject({ id, status: 'suspended' });
    await db.query(`UPDATE auth.users SET full_name = 'Ada Lovelace' WHERE id = $1`, [id]);
    await waitFor(async () => (await me(tok)).body.fullName === 'Ada Lovelace', { timeoutMs: 3_000 });
  });

  it('a principal kept for a token is answered again only while neither cache has moved: a revoked session is refused at once', async () => {
    const { sub, id } = await activeUser();
    const tok = token(sub);
    await me(tok).expect(200);
    const auth = t.app.get(Authenticator);
    const first = auth.cached({ token: tok, via: 'bearer' }, ME_RULES);
    expect(first).toMatchObject({ userId: id });
    // Kept: the same object while nothing changed.
    expect(auth.cached({ token: tok, via: 'bearer' }, ME_RULES)).toBe(first);
    // revoke() drops this instance's cached set itself (no wait for the NOTIFY): the very next look-up is a miss, never
    // the kept principal; the slow path then reads the revocation, and from then on the hot path refuses too.
    // Announced: the revocation's own change notice, arriving later, would empty the set the slow path fills below.
    await announced(t.app.get(EventEmitter2), async () => {
      await t.app.get(SessionRevocations).revoke(id, [`tok:${tokenDigest(tok)}`], 'test', new Date(Date.now() + 3_600_000));
      return id;
    });
    expect(auth.cached({ token: tok, via: 'bearer' }, ME_RULES)).toBeUndefined();
    await me(tok).expect(401);
    expect(() => auth.cached({ token: tok, via: 'bearer' }, ME_RULES)).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_REVOKED' }));
  });

  it('a principal kept for a token is answered again only while neither cache has moved: a changed row is read at once', async () => {
    const { sub, id } = await activeUser();
    const tok = token(sub);
    await me(tok).expect(200);
    const auth = t.app.get(Authenticator);
    const activeOnly = {};
    expect(auth.cached({ token: tok, via: 'bearer' }, activeOnly)).toMatchObject({ userId: id, status: 'active' });
    const feed = t.app.get(EventEmitter2);
    await announced(feed, async () => {
      await setStatus(db, id, 'suspended');
      return id;
    });
    // The row is evicted: a miss (the slow path reloads it), never the principal built from the old row.
    expect(auth.cached({ token: tok, via: 'bearer' }, activeOnly)).toBeUndefined();
    await me(tok).expect(200);
    expect(() => auth.cached({ token: tok, via: 'bearer' }, activeOnly)).toThrow(expect.objectContaining({ code: 'USER_SUSPENDED' }));
    expect(auth.cached({ token: tok, via: 'bearer' }, ME_RULES)).toMatchObject({ userId: id, status: 'suspended' });
  });
});
