import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { RealtimeScaleOut } from '../../../src/realtime/scale-out';
import { OnboardingService } from '../../../src/users/onboarding/onboarding.service';
import { UsersService } from '../../../src/users/users.service';
import type { UserStatus } from '../../../src/common/user-status';
import { startTestApp, TestApp } from '../../support/app';
import { JwksIssuer } from '../../support/jwks-issuer';
import { connectRealtime, disconnected, nextEvent } from '../../support/realtime-client';
import { userFactory } from '../../support/user-factory';

const CLIENT = 'client-scale-out';
/** Set by the global setup when something answers on TEST_REDIS_URL. */
const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL;
if (!REDIS_URL) process.stdout.write('[realtime-scale-out] no Redis at TEST_REDIS_URL: the Redis adapter cases are skipped\n');

/**
 * Two app instances on one database: a room emit made on A (admin.user.changed, emitted once, on the instance that
 * committed the ladder change) reaches an admin socket held by B through the adapter, and a revocation committed on
 * A closes a socket held by B. Once with the Postgres adapter (no REDIS_URL), once with the Redis adapter.
 */
const cases: Array<[string, 'postgres' | 'redis', Record<string, string> | undefined]> = [
  ['Postgres adapter (no REDIS_URL)', 'postgres', {}],
  ['Redis adapter (REDIS_URL)', 'redis', REDIS_URL ? { REDIS_URL } : undefined],
];

describe.each(cases)('realtime across two instances: %s', (_name, kind, extraEnv) => {
  const run = extraEnv ? it : it.skip;
  const issuer = new JwksIssuer(`local_scale_${kind}`);
  let a: TestApp;
  let b: TestApp;
  let db: DataSource;
  const open: Socket[] = [];

  const token = (sub: string, extra: Record<string, unknown> = {}) => issuer.sign(issuer.accessClaims(sub, CLIENT, extra));
  const user = async (status: UserStatus = 'active') => {
    const sub = randomUUID();
    return { sub, id: await userFactory.row(db, { issuer: issuer.issuer, subject: sub, status }) };
  };
  const connect = async (app: TestApp, tok: string) => {
    const h = await connectRealtime(app.url, { auth: { token: tok } });
    open.push(h.socket);
    expect(h.connected).toBe(true);
    return h.socket;
  };

  beforeAll(async () => {
    if (!extraEnv) return;
    await issuer.start();
    const env = { AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT, ...extraEnv };
    a = await startTestApp(env);
    b = await startTestApp(env);
    db = a.app.get(DataSource);
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (extraEnv) await issuer.stop();
  });

  run('each instance runs the expected adapter', () => {
    expect(a.app.get(RealtimeScaleOut).kind).toBe(kind);
    expect(b.app.get(RealtimeScaleOut).kind).toBe(kind);
  });

  run('a room emit on A reaches an admin socket on B', async () => {
    const admin = await user();
    const onB = await connect(b, token(admin.sub, { 'cognito:groups': ['Admins'] }));
    expect(await onB.timeout(3000).emitWithAck('admin.subscribe')).toEqual({ subscribed: true });
    const u = await user('pending_approval');
    const heard = nextEvent(onB, 'admin.user.changed', 2_000);
    await a.app.get(OnboardingService).apply(u.id, 'APPROVED', `admin:${admin.id}`);
    expect(await heard).toMatchObject({ userId: u.id, previous: 'pending_approval', event: 'APPROVED' });
  });

  run('a revocation committed on A closes the socket held by B within a second', async () => {
    const u = await user();
    const onB = await connect(b, token(u.sub, { iat: Math.floor(Date.now() / 1000) - 2 }));
    const revoked = nextEvent(onB, 'session.revoked', 1_000);
    const gone = disconnected(onB, 1_500);
    await a.app.get(UsersService).revokeTokens(u.id, `user:${u.id}`, 'sign_out');
    expect(await revoked).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
    await gone;
  });

  const postgresOnly = kind === 'postgres' ? run : it.skip;
  postgresOnly('the adapter survives its database connections being killed: no crash, and emits reach both instances again', async () => {
    const admin = await user();
    const onA = await connect(a, token(admin.sub, { 'cognito:groups': ['Admins'] }));
    const onB = await connect(b, token(admin.sub, { 'cognito:groups': ['Admins'] }));
    await onA.timeout(3000).emitWithAck('admin.subscribe');
    await onB.timeout(3000).emitWithAck('admin.subscribe');
    // A failover or restart, as the adapters' LISTEN connections see it (an unhandled 'error' would fail this test).
    const killed = (await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN "gatehouse-realtime%'`,
    )) as unknown[];
    expect(killed.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 3_500)); // the adapter reconnects after 1-3 s
    const u = await user('pending_approval');
    const heard = [nextEvent(onA, 'admin.user.changed', 2_000), nextEvent(onB, 'admin.user.changed', 2_000)];
    await a.app.get(OnboardingService).apply(u.id, 'APPROVED', `admin:${admin.id}`);
    for (const e of await Promise.all(heard)) expect(e).toMatchObject({ userId: u.id });
    expect(await onA.timeout(3000).emitWithAck('whoami')).toMatchObject({ userId: admin.id });
  }, 15_000);
});
