import { DataSource } from 'typeorm';
import { UsersService } from '../../../src/users/users.service';
import { RELAXED_AUTH_LIMITS, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { LocalApp, startLocalApp } from '../../support/local-app';
import { SmtpCapture } from '../../support/smtp-capture';
import { BLOCKS, requestIdOf, signInAudit } from '../../support/sign-in-audit';
import { totp } from '../../support/totp';
import { setStatus, userFactory } from '../../support/user-factory';
import { holdNextAuditWrite } from '../../support/held-audit-write';

/**
 * The local provider accepted the password, but Gatehouse refuses the sign-in because of the account's status: one
 * `login.failed` row with the status as the reason and the code the client saw, written after the answer, never a
 * second row where the refusal was already audited, and a failed write never changes the answer.
 */
describe('local sign-ins Gatehouse refuses for the status are audited', () => {
  let fixture: LocalApp;
  let smtp: SmtpCapture;
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;
  let n = 0;
  const PASSWORD = 'correct horse battery staple';

  beforeAll(async () => {
    fixture = await startLocalApp(RELAXED_AUTH_LIMITS);
    ({ smtp, t, api, db } = fixture);
  });
  afterAll(() => fixture?.close());

  const verifiedUser = () => userFactory.local.verified(api, smtp, PASSWORD, { email: `localaudit${++n}.${Date.now()}@example.com` });
  const login = (address: string, password = PASSWORD) => api.post<Record<string, unknown>>('/api/v1/auth/login', { email: address, password });
  const { afterAnswer, userOf, ladder: block, failures, failedRowsOf, oneRefusal } = signInAudit(() => t, 'local');

  it.each(BLOCKS)('%s: the right password gets 403 with the block code and one login.failed row with reason %s', async (event, status, code) => {
    const address = await verifiedUser();
    await block(address, event);
    const res = await login(address);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code } });
    const row = await oneRefusal(res, address, { reason: status, code });
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
  });

  it('a wrong password of a blocked user is audited once, as a wrong password (the status is not reached)', async () => {
    const address = await verifiedUser();
    await block(address, 'DISABLED');
    const res = await login(address, 'not the password at all');
    expect(res.body).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    await afterAnswer();
    expect(await failedRowsOf(requestIdOf(res.body))).toBe(1);
    expect((await failures(address)).map((e) => e.reason)).toEqual(['password']);
  });

  it('a status blocked between the password and the TOTP answer: the answer gets 403 and one login.failed row', async () => {
    const address = await verifiedUser();
    const token = (await login(address)).body.accessToken as string;
    const secret = (await api.post<{ secret: string }>('/api/v1/auth/mfa/enroll', {}, token)).body.secret;
    expect((await api.post('/api/v1/auth/mfa/verify', { code: totp(secret) }, token)).status).toBe(200);
    const challenged = await login(address);
    expect(challenged.body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });

    // The ladder's blocks also move the watermark, which ends the challenge first (MFA_SESSION_INVALID): the status
    // check behind it is reached by a status written without one, as here.
    await setStatus(db, (await userOf(address)).id, 'suspended');
    const res = await api.post('/api/v1/auth/mfa/challenge', { session: challenged.body.session, code: totp(secret, Date.now() + 30_000) });
    expect(res.body).toMatchObject({ error: { code: 'USER_SUSPENDED' } });
    await afterAnswer();
    expect(await failedRowsOf(requestIdOf(res.body))).toBe(1);
    expect((await failures(address)).map((e) => e.reason)).toEqual(['suspended']);
  });

  it('the 403 does not wait for the row, and a failed write leaves it a 403', async () => {
    const address = await verifiedUser();
    await block(address, 'DISABLED');
    const held = holdNextAuditWrite(t.app.get(UsersService));
    try {
      const res = await login(address);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'USER_DISABLED' } });
      await held.failAfterStart('login.failed');
      await afterAnswer();
    } finally {
      held.restore();
    }
  });
});
