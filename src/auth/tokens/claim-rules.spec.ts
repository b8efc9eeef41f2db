import { checkClaims } from './claim-rules';
import type { IssuerPolicy } from './issuer-policy';
import type { KeySource } from './key-source';

const keys: KeySource = { getKey: async () => undefined };
const NOW = 1_800_000_000;
const cognito: IssuerPolicy = { kind: 'cognito', issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X', algorithms: ['RS256'], audience: 'client-1', keys };
const local: IssuerPolicy = { kind: 'local', issuer: 'http://localhost:3000', algorithms: ['RS256'], keys };
const oidc: IssuerPolicy = { kind: 'oidc', issuer: 'https://idp.example.com', algorithms: ['RS256'], audience: 'api', keys };
const bridge: IssuerPolicy = { kind: 'bridge', issuer: 'urn:bridge', algorithms: ['HS256'], audience: 'api', maxLifetimeS: 3600, keys };
const base = { sub: 'u-1', iat: NOW - 10, exp: NOW + 600 };
const check = (p: IssuerPolicy, claims: Record<string, unknown>) => checkClaims(p, claims, NOW, 60);
const reason = (p: IssuerPolicy, claims: Record<string, unknown>) => {
  try {
    check(p, claims);
    return 'accepted';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('claim rules', () => {
  describe('cognito', () => {
    it('accepts an access token for our client and reads groups, scopes, organization', () => {
      const v = check(cognito, { ...base, token_use: 'access', client_id: 'client-1', 'cognito:groups': ['Admins'], scope: 'a b', 'custom:organizationId': 'o1' });
      expect(v).toMatchObject({ tokenUse: 'access', groups: ['Admins'], scopes: ['a', 'b'], organizationId: 'o1', issuedAtMs: (NOW - 10) * 1000 });
    });
    it('requires client_id on access tokens and aud on ID tokens', () => {
      expect(reason(cognito, { ...base, token_use: 'access', aud: 'client-1' })).toBe('client_id mismatch');
      expect(reason(cognito, { ...base, token_use: 'id', client_id: 'client-1' })).toBe('aud mismatch');
      expect(check(cognito, { ...base, token_use: 'id', aud: 'client-1', email_verified: 'true' })).toMatchObject({ tokenUse: 'id', emailVerified: true });
    });
    it('reads auth_time (the sign-in a refreshed token descends from) only when it is not after iat', () => {
      const access = { ...base, token_use: 'access', client_id: 'client-1' };
      expect(check(cognito, { ...access, auth_time: NOW - 3600 }).authTimeMs).toBe((NOW - 3600) * 1000);
      expect(check(cognito, { ...access, auth_time: NOW }).authTimeMs).toBeUndefined();
      expect(check(cognito, { ...access, auth_time: 'yesterday' }).authTimeMs).toBeUndefined();
      expect(check(local, { ...base, token_use: 'access', aud: 'gatehouse' }).authTimeMs).toBeUndefined();
    });
    it('refuses other token uses', () => {
      expect(reason(cognito, { ...base, token_use: 'refresh', client_id: 'client-1' })).toMatch(/token_use/);
      expect(reason(cognito, { ...base, client_id: 'client-1' })).toMatch(/token_use/);
    });
  });

  it('requires sub, exp and iat, with iat not in the future beyond the skew and exp after iat', () => {
    const ok = { token_use: 'access', client_id: 'client-1' };
    expect(reason(cognito, { ...ok, iat: base.iat, exp: base.exp })).toMatch(/sub/);
    expect(reason(cognito, { ...ok, sub: 'x', iat: base.iat })).toMatch(/exp/);
    expect(reason(cognito, { ...ok, sub: 'x', exp: base.exp })).toMatch(/iat/);
    expect(reason(cognito, { ...ok, sub: 'x', iat: NOW + 61, exp: NOW + 600 })).toBe('iat in the future');
    expect(reason(cognito, { ...ok, sub: 'x', iat: NOW + 59, exp: NOW + 600 })).toBe('accepted');
    expect(reason(cognito, { ...ok, sub: 'x', iat: NOW, exp: NOW })).toBe('exp not after iat');
    expect(reason(cognito, { ...ok, sub: 'x'.repeat(256), iat: NOW, exp: NOW + 1 })).toMatch(/sub/);
  });

  it('type-checks the claims it reads', () => {
    const ok = { ...base, token_use: 'access', client_id: 'client-1' };
    expect(reason(cognito, { ...ok, 'cognito:groups': 'Admins' })).toMatch(/not an array/);
    expect(reason(cognito, { ...ok, 'cognito:groups': [1] })).toMatch(/not an array/);
    expect(reason(cognito, { ...ok, email: 5 })).toMatch(/email is not a string/);
    expect(reason(cognito, { ...ok, exp: '1' })).toMatch(/exp/);
  });

  it('local: access tokens for the gatehouse audience, with a millisecond iat that must agree with iat', () => {
    expect(check(local, { ...base, token_use: 'access', aud: 'gatehouse', iat_ms: (NOW - 10) * 1000 + 250 }).issuedAtMs).toBe((NOW - 10) * 1000 + 250);
    expect(reason(local, { ...base, token_use: 'access', aud: 'gatehouse', iat_ms: NOW * 1000 + 5000 })).toBe('iat_ms disagrees with iat');
    expect(reason(local, { ...base, token_use: 'access', aud: 'other' })).toBe('aud mismatch');
    expect(reason(local, { ...base, aud: 'gatehouse' })).toBe('token_use not access');
  });

  it('oidc: the audience may be a list', () => {
    expect(reason(oidc, { ...base, aud: ['x', 'api'] })).toBe('accepted');
    expect(reason(oidc, { ...base, aud: ['x'] })).toBe('aud mismatch');
    expect(reason(oidc, { ...base })).toBe('aud mismatch');
  });

  it('bridge: audience when configured, and a bounded lifetime', () => {
    expect(reason(bridge, { ...base, aud: 'api' })).toBe('accepted');
    expect(reason(bridge, { ...base, aud: 'api', exp: base.iat + 3601 })).toMatch(/lifetime/);
    expect(reason(bridge, { ...base })).toBe('aud mismatch');
  });
});
