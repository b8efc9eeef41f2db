import { createHmac, randomBytes } from 'node:crypto';
import { cognitoClientSettings, getCognitoClient, resetCognitoClients, secretHash, secretHashField, secretHashParam } from './cognito-client.factory';
import { decideRoleClaimTrust } from './cognito-role-claim.policy';
import { CHALLENGE_TTL_MS, ChallengeSessionSealer, toTokenSet, unverifiedAuthTimeMs, unwrapRefreshToken, wrapRefreshToken } from './cognito-session';

describe('SECRET_HASH', () => {
  it('is base64(HMAC-SHA256(key = client secret, message = username + clientId))', () => {
    const expected = createHmac('sha256', 'secret').update('alice@example.com' + 'client1').digest('base64');
    expect(secretHash('alice@example.com', 'client1', 'secret')).toBe(expected);
    expect(secretHashParam({ clientId: 'client1', clientSecret: 'secret' }, 'alice@example.com')).toEqual({ SECRET_HASH: expected });
    expect(secretHashField({ clientId: 'client1', clientSecret: 'secret' }, 'alice@example.com')).toEqual({ SecretHash: expected });
  });

  it('is left out when the app client has no secret', () => {
    expect(secretHashParam({ clientId: 'client1' }, 'a')).toEqual({});
    expect(secretHashField({ clientId: 'client1' }, 'a')).toEqual({});
  });
});

describe('Cognito client factory', () => {
  afterEach(() => resetCognitoClients());

  it('uses explicit keys only when both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set, else the default chain', () => {
    const cfg = { region: 'eu-west-1', endpoint: undefined };
    expect(cognitoClientSettings(cfg, { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' }).credentials).toEqual({ accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: undefined });
    expect(cognitoClientSettings(cfg, { AWS_ACCESS_KEY_ID: 'AK' }).credentials).toBeUndefined();
    expect(cognitoClientSettings(cfg, {}).credentials).toBeUndefined();
    expect(cognitoClientSettings({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' }, {})).toMatchObject({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
  });

  it('caches one client per settings and builds a fresh one after reset', async () => {
    const s = cognitoClientSettings({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' }, {});
    const a = getCognitoClient(s);
    expect(getCognitoClient(s)).toBe(a);
    expect(getCognitoClient({ ...s, region: 'us-east-1' })).not.toBe(a);
    expect(await a.config.region()).toBe('eu-west-1');
    resetCognitoClients();
    expect(getCognitoClient(s)).not.toBe(a);
  });
});

describe('custom:role trust rule', () => {
  it('trusts only when TRUST_ROLE_CLAIM is on and the client cannot write custom:role', () => {
    expect(decideRoleClaimTrust(true, ['email', 'name']).trusted).toBe(true);
    expect(decideRoleClaimTrust(true, undefined).trusted).toBe(true);
    expect(decideRoleClaimTrust(true, ['email', 'custom:role']).trusted).toBe(false);
    expect(decideRoleClaimTrust(false, ['email']).trusted).toBe(false);
  });
});

describe('challenge session and refresh envelopes', () => {
  const secret = randomBytes(32);
  const s = { u: 'sub-1', e: 'a@example.com', c: 'SOFTWARE_TOKEN_MFA' as const, s: 'cognito-session' };

  it('seals a challenge session (nothing readable) with a random id and a five-minute expiry, and opens only its own', () => {
    let now = 1_000_000;
    const sealer = new ChallengeSessionSealer(secret, () => now);
    const sealed = sealer.seal(s);
    expect(sealed).toMatch(/^cgc2\./);
    expect(Buffer.from(sealed.slice(5), 'base64url').toString('latin1')).not.toContain('sub-1');
    const opened = sealer.open(sealed)!;
    expect(opened).toMatchObject({ ...s, exp: now + CHALLENGE_TTL_MS });
    expect(opened.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sealer.open(sealer.seal(s))!.id).not.toBe(opened.id);
    now += CHALLENGE_TTL_MS;
    expect(sealer.open(sealed)).toBeUndefined();
  });

  it.each([
    ['Cognito\'s own session', 'cognito-session'],
    ['the unsealed pre-#20.11 form', 'cgc1.' + Buffer.from(JSON.stringify(s)).toString('base64url')],
    ['garbage after the prefix', 'cgc2.!!!'],
    ['a session sealed under another key', new ChallengeSessionSealer(randomBytes(32)).seal(s)],
  ])('refuses %s', (_name, raw) => {
    expect(new ChallengeSessionSealer(secret).open(raw)).toBeUndefined();
  });

  it('wraps a refresh token with the username and the sign-in time; reads the v1 form and leaves plain tokens alone', () => {
    expect(unwrapRefreshToken(wrapRefreshToken('sub-1', 'eyJ.a.b', 1234))).toEqual({ username: 'sub-1', authTimeMs: 1234, token: 'eyJ.a.b' });
    expect(unwrapRefreshToken(`cgr1.${Buffer.from('sub-1').toString('base64url')}.eyJ.a.b`)).toEqual({ username: 'sub-1', token: 'eyJ.a.b' });
    expect(unwrapRefreshToken('eyJ.a.b')).toEqual({ token: 'eyJ.a.b' });
  });

  it('reads auth_time (seconds) as milliseconds', () => {
    const jwt = (c: object) => `h.${Buffer.from(JSON.stringify(c)).toString('base64url')}.s`;
    expect(unverifiedAuthTimeMs(jwt({ auth_time: 1_700_000_000 }))).toBe(1_700_000_000_000);
    expect(unverifiedAuthTimeMs(jwt({ iat: 1 }))).toBeUndefined();
  });

  it('takes expiresIn from Cognito, else from the access token exp', () => {
    const now = 1_700_000_000_000;
    const jwt = `h.${Buffer.from(JSON.stringify({ exp: now / 1000 + 900 })).toString('base64url')}.s`;
    expect(toTokenSet({ AccessToken: jwt, ExpiresIn: 60 }, undefined, now).expiresIn).toBe(60);
    expect(toTokenSet({ AccessToken: jwt }, 'r', now)).toEqual({ accessToken: jwt, refreshToken: 'r', expiresIn: 900, tokenType: 'Bearer' });
  });
});
