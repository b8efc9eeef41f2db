import { randomUUID } from 'node:crypto';
import type { Namespace } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { sessionCookieNames } from '../../../src/auth/credentials/session-cookies';
import { RealtimeGateway } from '../../../src/realtime/realtime.gateway';
import { startTestApp, TestApp } from '../../support/app';
import { JwksIssuer } from '../../support/jwks-issuer';
import { connectRealtime } from '../../support/realtime-client';
import { userFactory } from '../../support/user-factory';

const CLIENT = 'client-retention';
const APP_ORIGIN = 'https://app.retention.test';

/**
 * A held socket keeps its verified token, never the raw one: socket.io keeps the handshake (auth, query, headers) for
 * the connection's whole life, so an admitted socket's handshake is scrubbed of every place a credential came in, and
 * what the socket holds still serves its handlers and re-checks.
 */
describe('realtime: an admitted socket holds no raw credential', () => {
  const issuer = new JwksIssuer('local_retention');
  let t: TestApp;
  let db: DataSource;
  const open: Socket[] = [];

  const token = (sub: string) => issuer.sign(issuer.accessClaims(sub, CLIENT));
  const serverSocket = (id: string) => (t.app.get(RealtimeGateway) as unknown as { ns: Namespace }).ns.sockets.get(id);

  beforeAll(async () => {
    await issuer.start();
    t = await startTestApp({ AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT, CORS_ORIGINS: APP_ORIGIN });
    db = t.app.get(DataSource);
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => {
    await t?.close();
    await issuer.stop();
  });

  const sources: Array<[string, (tok: string) => Parameters<typeof connectRealtime>[1]]> = [
    ['auth.token', (tok) => ({ auth: { token: tok } })],
    ['the Authorization header', (tok) => ({ extraHeaders: { authorization: `Bearer ${tok}` } })],
    ['the token query parameter', (tok) => ({ query: { token: tok } })],
    ['the session cookie', (tok) => ({ extraHeaders: { cookie: `${sessionCookieNames(false).session}=${tok}; theme=dark`, origin: APP_ORIGIN } })],
  ];

  it.each(sources)('via %s: the server-side socket keeps no copy of the token, and still answers', async (_source, opts) => {
    const sub = randomUUID();
    const id = await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status: 'active' });
    const tok = token(sub);
    const h = await connectRealtime(t.url, opts(tok));
    open.push(h.socket);
    expect(h.connected).toBe(true);
    const held = serverSocket(h.socket.id!);
    expect(held).toBeDefined();
    // The signature segment is the part no other token shares.
    const signature = tok.split('.')[2]!;
    expect(JSON.stringify({ handshake: held!.handshake, data: held!.data })).not.toContain(signature);
    expect(held!.data.verified).toMatchObject({ subject: sub });
    expect(await h.socket.timeout(3000).emitWithAck('whoami')).toMatchObject({ userId: id });
  });
});
