import { createHmac } from 'node:crypto';
import { cognitoClientSettings, getCognitoClient, resetCognitoClients, secretHash, secretHashField, secretHashParam } from './cognito-client.factory';
import { decideRoleClaimTrust } from './cognito-role-claim.policy';
import { decodeChallengeSession, encodeChallengeSession, toTokenSet, unwrapRefreshToken, wrapRefreshToken } from './cognito-session';

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
  it('round-trips a challenge session and refuses anything else', () => {
    const s = { u: 'sub-1', e: 'a@example.com', c: 'SOFTWARE_TOKEN_MFA' as const, s: 'cognito-session' };
    expect(decodeChallengeSession(encodeChallengeSession(s))).toEqual(s);
    expect(decodeChallengeSession('cognito-session')).toBeUndefined();
    expect(decodeChallengeSession('cgc1.!!!')).toBeUndefined();
    expect(decodeChallengeSession('cgc1.' + Buffer.from('{"u":1}').toString('base64url'))).toBeUndefined();
  });

  it('wraps a refresh token with the username and leaves plain tokens alone', () => {
    expect(unwrapRefreshToken(wrapRefreshToken('sub-1', 'eyJ.a.b'))).toEqual({ username: 'sub-1', token: 'eyJ.a.b' });
    expect(unwrapRefreshToken('eyJ.a.b')).toEqual({ token: 'eyJ.a.b' });
  });

  it('takes expiresIn from Cognito, else from the access token exp', () => {
    const now = 1_700_000_000_000;
    const jwt = `h.${Buffer.from(JSON.stringify({ exp: now / 1000 + 900 })).toString('base64url')}.s`;
    expect(toTokenSet({ AccessToken: jwt, ExpiresIn: 60 }, undefined, now).expiresIn).toBe(60);
    expect(toTokenSet({ AccessToken: jwt }, 'r', now)).toEqual({ accessToken: jwt, refreshToken: 'r', expiresIn: 900, tokenType: 'Bearer' });
  });
});
