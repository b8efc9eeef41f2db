import { createHmac, createSecretKey, generateKeyPairSync, sign } from 'node:crypto';
import type { IssuerPolicy } from './issuer-policy';
import { TokenVerifier } from './token-verifier';
import { TokenRejection } from './verified-token';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const seg = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const ISS = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_T';
const rs256 = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' }) => {
  const input = `${seg(header)}.${seg(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
};

describe('TokenVerifier.verify (the path the socket gateway uses)', () => {
  let now = 1_800_000_000_000;
  let keyLookups = 0;
  const cognito: IssuerPolicy = {
    kind: 'cognito',
    issuer: ISS,
    algorithms: ['RS256'],
    audience: 'c1',
    keys: { getKey: async (kid) => (keyLookups++, kid === 'k1' ? publicKey : undefined) },
  };
  const bridgeSecret = 'b'.repeat(40);
  const bridge: IssuerPolicy = { kind: 'bridge', issuer: 'urn:bridge', algorithms: ['HS256'], maxLifetimeS: 3600, keys: { getKey: async () => createSecretKey(Buffer.from(bridgeSecret)) } };
  const verifier = () => new TokenVerifier([cognito, bridge], { clockSkewS: 60, now: () => now });
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISS, sub: 'u1', token_use: 'access', client_id: 'c1', iat: now / 1000 - 10, exp: now / 1000 + 300, ...extra });
  const code = async (v: TokenVerifier, token: string) => v.verify(token).then(() => 'ok', (e: TokenRejection) => e.code);
  /** The code the client sees and the reason the log keeps. */
  const refusal = async (v: TokenVerifier, token: string) => v.verify(token).then(() => 'ok', (e: TokenRejection) => `${e.code} ${e.reason}`);

  beforeEach(() => {
    keyLookups = 0;
  });

  it('verifies once, then answers from the cache without another key look-up', async () => {
    const v = verifier();
    const token = rs256(claims());
    await expect(v.verify(token)).resolves.toMatchObject({ subject: 'u1', tokenUse: 'access' });
    await v.verify(token);
    expect(keyLookups).toBe(1);
  });

  it('never serves a cached token past its exp', async () => {
    const v = verifier();
    const token = rs256(claims({ exp: now / 1000 + 30 }));
    expect(await code(v, token)).toBe('ok');
    now += 31_000 + 60_000; // beyond exp and the skew
    expect(await refusal(v, token)).toBe('AUTH_TOKEN_EXPIRED EXPIRED');
    now -= 91_000;
  });

  it('a held verified token (a socket\'s) expires with the same clock skew as verification', async () => {
    const v = verifier();
    const held = await v.verify(rs256(claims({ exp: now / 1000 + 30 })));
    const at = now;
    now = at + 30_000 + 59_000; // past exp, within the 60 s skew: still valid, as verify would say
    expect(() => v.assertUnexpired(held)).not.toThrow();
    now = at + 30_000 + 60_000;
    expect(() => v.assertUnexpired(held)).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_EXPIRED', reason: 'EXPIRED' }));
    now = at;
  });

  it('tells expiry apart from every other failure', async () => {
    const v = verifier();
    expect(await refusal(v, rs256(claims({ exp: now / 1000 - 61, iat: now / 1000 - 600 })))).toBe('AUTH_TOKEN_EXPIRED EXPIRED');
    expect(await refusal(v, rs256(claims({ client_id: 'c2' })))).toBe('AUTH_TOKEN_INVALID CLIENT_ID_MISMATCH');
    expect(await refusal(v, rs256(claims(), { alg: 'RS256', kid: 'k2' }))).toBe('AUTH_TOKEN_INVALID KID_UNKNOWN');
    expect(await refusal(v, rs256(claims(), { alg: 'RS256' }))).toBe('AUTH_TOKEN_INVALID KID_MISSING');
    expect(await refusal(v, rs256(claims({ iss: 'urn:bridge' })))).toBe('AUTH_TOKEN_INVALID ALG_NOT_ALLOWED');
    expect(await refusal(v, rs256(claims({ iss: 'urn:elsewhere' })))).toBe('AUTH_TOKEN_INVALID ISSUER_UNKNOWN');
    expect(await refusal(v, rs256(claims({ nbf: now / 1000 + 120 })))).toBe('AUTH_TOKEN_INVALID NOT_YET_VALID');
    const [h, p, s] = rs256(claims()).split('.') as [string, string, string];
    expect(await refusal(v, `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`)).toBe('AUTH_TOKEN_INVALID SIGNATURE_INVALID');
    expect(await refusal(v, `${h}.${p}`)).toBe('AUTH_TOKEN_INVALID MALFORMED');
  });

  it('accepts HS256 only for the bridge issuer', async () => {
    const v = verifier();
    const hs = (c: Record<string, unknown>) => {
      const input = `${seg({ alg: 'HS256' })}.${seg(c)}`;
      return `${input}.${createHmac('sha256', bridgeSecret).update(input).digest('base64url')}`;
    };
    expect(await code(v, hs({ iss: 'urn:bridge', sub: 'f1', iat: now / 1000, exp: now / 1000 + 60 }))).toBe('ok');
    expect(await refusal(v, hs(claims()))).toBe('AUTH_TOKEN_INVALID ALG_NOT_ALLOWED');
  });

  it('refuses every token when no issuer is configured', async () => {
    const none = new TokenVerifier([], { clockSkewS: 60, now: () => now });
    expect(await refusal(none, rs256(claims()))).toBe('AUTH_TOKEN_INVALID ISSUER_UNKNOWN');
  });
});
