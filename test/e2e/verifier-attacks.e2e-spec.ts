import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { AuthProbeModule } from '../support/auth-probe';
import { JwksIssuer, newKey, seg } from '../support/jwks-issuer';
import { LogCapture } from '../support/log-capture';
import { userFactory } from '../support/user-factory';
import { JWKS_CLOCK } from '../../src/auth/tokens/issuer-policies.factory';

const CLIENT = 'client-attacks';
/** The JWKS refetch spacing runs on this clock (JWKS_CLOCK): tests move it past the interval instead of sleeping. */
let clockOffsetMs = 0;
const jwksClock = () => Date.now() + clockOffsetMs;
const pastRefetchInterval = () => {
  clockOffsetMs += 1_100;
};

describe('token verification against attacks (real RSA keys, JWKS on loopback)', () => {
  const issuer = new JwksIssuer('local_attacks');
  const other = new JwksIssuer('local_other');
  let trap: Server;
  let trapHits = 0;
  let trapUrl: string;
  let t: TestApp;
  let sub: string;
  const logs = new LogCapture();

  const get = (token: string, path = '/api/v1/probe/whoami') => request(t.url).get(path).set('Authorization', `Bearer ${token}`);
  /** The generic 401 the client sees, and the exact reason the log line keeps for the operator. */
  const expectRejected = async (token: string, reason: string, code = 'AUTH_TOKEN_INVALID', path?: string) => {
    const res = await get(token, path);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code, message: 'Invalid or expired credentials', requestId: expect.any(String) });
    expect(logs.rejectionReason(res.body.error.requestId)).toBe(reason);
  };
  const claims = (extra: Record<string, unknown> = {}) => issuer.accessClaims(sub, CLIENT, extra);

  beforeAll(async () => {
    await issuer.start();
    await other.start();
    trap = createServer((_req, res) => {
      trapHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    t = await startTestApp(
      { AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: issuer.base, COGNITO_USER_POOL_ID: issuer.pool, COGNITO_CLIENT_ID: CLIENT, JWT_CLOCK_SKEW_S: '60', JWKS_REFETCH_INTERVAL_S: '1', LOG_LEVEL: 'info' },
      { extra: [AuthProbeModule], logDestination: logs.stream, override: [{ token: JWKS_CLOCK, value: jwksClock }] },
    );
    sub = randomUUID();
    await userFactory.row(t.app.get(DataSource), { issuer: issuer.issuer, subject: sub });
  });
  afterAll(async () => {
    await t.close();
    await issuer.stop();
    await other.stop();
    await new Promise<void>((r) => trap.close(() => r()));
  });

  it('accepts a valid access token', async () => {
    const res = await get(issuer.sign(claims())).expect(200);
    expect(res.body).toMatchObject({ subject: sub, issuer: issuer.issuer, tokenUse: 'access', provider: 'cognito', status: 'active' });
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = issuer.sign(claims()).split('.');
    await expectRejected(`${h}.${seg(claims({ 'cognito:groups': ['Admins'] }))}.${s}`, 'SIGNATURE_INVALID');
  });

  it('refuses a broken or empty signature', async () => {
    const token = issuer.sign(claims());
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    await expectRejected(`${h}.${p}.${flipped}`, 'SIGNATURE_INVALID');
    await expectRejected(`${h}.${p}.`, 'MALFORMED');
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s', async (alg) => {
    const token = `${seg({ alg, typ: 'JWT', kid: issuer.key.kid })}.${seg(claims())}.`;
    await expectRejected(token, 'MALFORMED');
    await expectRejected(token + 'c2ln', 'ALG_NOT_ALLOWED');
  });

  it('refuses RS256 → HS256 key confusion with the public key as PEM or as JWK', async () => {
    const pem = issuer.key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const jwkText = JSON.stringify(issuer.key.publicKey.export({ format: 'jwk' }));
    for (const secret of [pem, jwkText, Buffer.from(pem)]) {
      // jsonwebtoken itself refuses to sign HS256 with a PEM-looking string, so build the HMAC by hand like an attacker.
      const { createHmac } = await import('node:crypto');
      const signingInput = `${seg({ alg: 'HS256', typ: 'JWT', kid: issuer.key.kid })}.${seg(claims())}`;
      const sig = createHmac('sha256', secret).update(signingInput).digest('base64url');
      await expectRejected(`${signingInput}.${sig}`, 'ALG_NOT_ALLOWED');
    }
  });

  it('refuses HS256 with an empty secret', async () => {
    const { createHmac } = await import('node:crypto');
    const input = `${seg({ alg: 'HS256', kid: issuer.key.kid })}.${seg(claims())}`;
    await expectRejected(`${input}.${createHmac('sha256', '').update(input).digest('base64url')}`, 'ALG_NOT_ALLOWED');
  });

  it('never uses or fetches an attacker key from jwk, jku or x5u headers', async () => {
    const attacker = newKey('attacker');
    const jwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker' };
    const before = trapHits;
    await expectRejected(issuer.sign(claims(), { key: attacker, header: { jwk } }), 'KID_UNKNOWN');
    await expectRejected(issuer.sign(claims(), { key: attacker, header: { jku: `${trapUrl}/jwks.json` } }), 'KID_UNKNOWN');
    await expectRejected(issuer.sign(claims(), { key: attacker, header: { x5u: `${trapUrl}/cert.pem` } }), 'KID_UNKNOWN');
    // Same attacks with the real kid: the key still comes from the configured JWKS, so the signature fails.
    await expectRejected(issuer.sign(claims(), { key: attacker, kid: issuer.key.kid, header: { jwk, jku: `${trapUrl}/jwks.json` } }), 'SIGNATURE_INVALID');
    expect(trapHits).toBe(before);
  });

  it('refuses SQL-text, 10 kB, blank and spaced kids before any key look-up (no JWKS fetch)', async () => {
    pastRefetchInterval(); // so only the kid check can explain a missing fetch
    const fetchesBefore = issuer.jwksRequests();
    for (const kid of ["x' OR '1'='1' --", 'a b', '', 'k'.repeat(129)]) {
      await expectRejected(issuer.sign(claims(), { kid }), 'KID_MALFORMED');
    }
    // A 10 kB kid makes the whole credential oversized: refused before the token is even parsed.
    await expectRejected(issuer.sign(claims(), { kid: 'k'.repeat(10_240) }), 'CREDENTIAL_MALFORMED');
    expect(issuer.jwksRequests()).toBe(fetchesBefore);
  });

  it('refuses a path-traversal kid (it is only ever a map key; the one refetch it may cause is rate-limited)', async () => {
    const fetchesBefore = issuer.jwksRequests();
    await expectRejected(issuer.sign(claims(), { kid: '../../../../etc/passwd' }), 'KID_UNKNOWN');
    await expectRejected(issuer.sign(claims(), { kid: '..%2F..%2Fjwks.json' }), 'KID_MALFORMED');
    expect(issuer.jwksRequests() - fetchesBefore).toBeLessThanOrEqual(1);
    expect(issuer.requests.every((p) => p === `/${issuer.pool}/.well-known/jwks.json`)).toBe(true);
  });

  it('refuses a token without kid', async () => {
    await expectRejected(issuer.sign(claims(), { kid: null }), 'KID_MISSING');
  });

  it('refuses a really signed token from another pool (other key, other issuer)', async () => {
    await expectRejected(other.sign(other.accessClaims(sub, CLIENT)), 'ISSUER_UNKNOWN');
    // Another pool's key but our issuer string: the key is not in our JWKS.
    await expectRejected(other.sign(claims()), 'KID_UNKNOWN');
  });

  it.each([
    ['trailing slash', (i: string) => `${i}/`],
    ['https instead of http', (i: string) => i.replace('http://', 'https://')],
    ['other pool in the same region', (i: string) => i.replace('local_attacks', 'local_attackz')],
    ['upper case', (i: string) => i.toUpperCase()],
    ['AWS issuer of another region', () => 'https://cognito-idp.eu-west-1.amazonaws.com/local_attacks'],
  ])('refuses an issuer variant: %s', async (_name, variant) => {
    await expectRejected(issuer.sign(claims({ iss: variant(issuer.issuer) })), 'ISSUER_UNKNOWN');
  });

  it.each([
    ['id', 'ID_TOKEN_NOT_ACCEPTED'],
    ['refresh', 'TOKEN_USE_MISMATCH'],
    [undefined, 'TOKEN_USE_MISMATCH'],
  ])('refuses token_use %s on an access-only route (%s)', async (use, reason) => {
    await expectRejected(issuer.sign(claims({ token_use: use, aud: CLIENT })), reason);
  });

  it('accepts an ID token (aud = client) only where the route opts in', async () => {
    const id = issuer.sign(claims({ token_use: 'id', aud: CLIENT, client_id: undefined }));
    await expectRejected(id, 'ID_TOKEN_NOT_ACCEPTED');
    await get(id, '/api/v1/probe/id-ok').expect(200);
    await expectRejected(issuer.sign(claims({ token_use: 'id', aud: 'someone-else', client_id: undefined })), 'AUDIENCE_MISMATCH', 'AUTH_TOKEN_INVALID', '/api/v1/probe/id-ok');
  });

  it('refuses a wrong client_id', async () => {
    await expectRejected(issuer.sign(claims({ client_id: 'another-client' })), 'CLIENT_ID_MISMATCH');
  });

  it('refuses a token without exp or iat', async () => {
    await expectRejected(issuer.sign(claims({ exp: undefined })), 'CLAIM_INVALID');
    await expectRejected(issuer.sign(claims({ iat: undefined })), 'CLAIM_INVALID');
  });

  it('honours the clock skew for exp: expired by skew + 1 s is refused, within skew accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(issuer.sign(claims({ iat: now - 600, exp: now - 61 })), 'EXPIRED', 'AUTH_TOKEN_EXPIRED');
    await get(issuer.sign(claims({ iat: now - 600, exp: now - 50 }))).expect(200);
  });

  it('refuses nbf and iat in the future beyond the skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(issuer.sign(claims({ nbf: now + 120 })), 'NOT_YET_VALID');
    await expectRejected(issuer.sign(claims({ iat: now + 120, exp: now + 3600 })), 'IAT_IN_FUTURE');
    await get(issuer.sign(claims({ nbf: now + 30 }))).expect(200);
  });

  it.each([
    ['sub as a number', { sub: 42 }, 'CLAIM_INVALID'],
    ['exp as a string', { exp: 'tomorrow' }, 'CLAIM_INVALID'],
    ['cognito:groups as a string', { 'cognito:groups': 'Admins' }, 'CLAIM_INVALID'],
    ['email as an object', { email: { x: 1 } }, 'CLAIM_INVALID'],
    ['iss as an array', { iss: ['x'] }, 'ISSUER_UNKNOWN'],
  ])('refuses claims of the wrong type: %s', async (_name, extra, reason) => {
    await expectRejected(issuer.sign(claims(extra)), reason);
  });

  it('refuses malformed tokens of any shape with a 401, never a 500', async () => {
    const good = issuer.sign(claims()).split('.');
    const bad: Array<[string, string]> = [
      [good.slice(0, 2).join('.'), 'MALFORMED'],
      [[...good, good[2]].join('.'), 'MALFORMED'],
      [[...good, good[2], good[2]].join('.'), 'MALFORMED'],
      [`${good[0]}.${good[1]}!.${good[2]}`, 'CREDENTIAL_MALFORMED'], // '!' is no token character: the header is refused
      [`${seg('not json')}.${good[1]}.${good[2]}`, 'MALFORMED'],
      [`${seg('[1,2]')}.${good[1]}.${good[2]}`, 'MALFORMED'],
      [`${seg({ alg: 'RS256', kid: issuer.key.kid, crit: ['exp'] })}.${good[1]}.${good[2]}`, 'CRIT_UNSUPPORTED'],
      ['a'.repeat(9_000), 'CREDENTIAL_MALFORMED'],
    ];
    for (const [token, reason] of bad) await expectRejected(token, reason);
    const basic = await request(t.url).get('/api/v1/probe/whoami').set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(basic.status).toBe(401);
    expect(logs.rejectionReason(basic.body.error.requestId)).toBe('CREDENTIAL_MALFORMED');
  });

  it('answers a 1 MB header with 431 (or 401), never 500', async () => {
    const { status } = await fetch(`${t.url}/api/v1/probe/whoami`, { headers: { authorization: `Bearer ${'a'.repeat(1_000_000)}` } }).catch(() => ({ status: 431 }));
    expect([401, 413, 431]).toContain(status);
  });

  it('a flood of 100 random kids causes at most a handful of JWKS fetches', async () => {
    pastRefetchInterval();
    const before = issuer.jwksRequests();
    const attacker = newKey();
    await Promise.all(Array.from({ length: 100 }, () => expectRejected(issuer.sign(claims(), { key: attacker, kid: randomUUID() }), 'KID_UNKNOWN')));
    expect(issuer.jwksRequests() - before).toBeLessThanOrEqual(2);
  });

  it('picks up a rotated key through the unknown-kid refetch', async () => {
    pastRefetchInterval();
    const rotated = newKey();
    issuer.keys = [rotated, issuer.key];
    await get(issuer.sign(claims(), { key: rotated })).expect(200);
    issuer.keys = [issuer.keys[1]!];
  });

  it('keeps verifying with the cached key while the JWKS endpoint is down', async () => {
    issuer.down = true;
    try {
      await get(issuer.sign(claims({ jti: randomUUID() }))).expect(200);
      // An unknown kid while down: refused, and the cached keys survive the failed refetch.
      await expectRejected(issuer.sign(claims(), { key: newKey() }), 'KID_UNKNOWN');
      await get(issuer.sign(claims({ jti: randomUUID() }))).expect(200);
    } finally {
      issuer.down = false;
    }
  });

  it('HS256 is refused for a key-set issuer even with a "secret" that matches nothing configured', async () => {
    await expectRejected(jwt.sign(claims(), 'x'.repeat(40), { algorithm: 'HS256', header: { alg: 'HS256', kid: issuer.key.kid } }), 'ALG_NOT_ALLOWED');
  });
});
