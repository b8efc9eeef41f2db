import { checkClaims } from './claim-rules';
import type { IssuerPolicy } from './issuer-policy';
import type { KeySource } from './key-source';
import { TokenRejection } from './verified-token';

const keys: KeySource = { getKey: async () => undefined };
const NOW = 1_800_000_000;
const cognito: IssuerPolicy = { kind: 'cognito', issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X', algorithms: ['RS256'], audience: 'client-1', keys };
const local: IssuerPolicy = { kind: 'local', issuer: 'http://localhost:3000', algorithms: ['RS256'], keys };
const oidc: IssuerPolicy = { kind: 'oidc', issuer: 'https://idp.example.com', algorithms: ['RS256'], audience: 'api', keys };
const bridge: IssuerPolicy = { kind: 'bridge', issuer: 'urn:bridge', algorithms: ['HS256'], audience: 'api', maxLifetimeS: 3600, keys };
const base = { sub: 'u-1', iat: NOW - 10, exp: NOW + 600 };
const check = (p: IssuerPolicy, claims: Record<string, unknown>) => checkClaims(p, claims, NOW, 60);
/** The refusal's reason (the closed vocabulary), or 'accepted'. */
const reason = (p: IssuerPolicy, claims: Record<string, unknown>) => outcome(p, claims).split(' ')[0];
/** The reason and its free detail, for rules that share a reason: `CLAIM_INVALID (sub missing or too long)`. */
const outcome = (p: IssuerPolicy, claims: Record<string, unknown>) => {
  try {
    check(p, claims);
    return 'accepted';
  } catch (e) {
    if (!(e instanceof TokenRejection)) throw e;
    return `${e.reason} (${e.detail ?? ''})`;
  }
};

describe('claim rules', () => {
  describe('cognito', () => {
    it('accepts an access token for our client and reads groups, scopes, organization', () => {
      const v = check(cognito, { ...base, token_use: 'access', client_id: 'client-1', 'cognito:groups': ['Admins'], scope: 'a b', 'custom:organizationId': 'o1' });
      expect(v).toMatchObject({ tokenUse: 'access', groups: ['Admins'], scopes: ['a', 'b'], organizationId: 'o1', issuedAtMs: (NOW - 10) * 1000 });
    });
    it('requires client_id on access tokens and aud on ID tokens', () => {
      expect(reason(cognito, { ...base, token_use: 'access', aud: 'client-1' })).toBe('CLIENT_ID_MISMATCH');
      expect(reason(cognito, { ...base, token_use: 'id', client_id: 'client-1' })).toBe('AUDIENCE_MISMATCH');
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
      expect(reason(cognito, { ...base, token_use: 'refresh', client_id: 'client-1' })).toBe('TOKEN_USE_MISMATCH');
      expect(reason(cognito, { ...base, client_id: 'client-1' })).toBe('TOKEN_USE_MISMATCH');
    });
  });

  it('requires sub, exp and iat, with iat not in the future beyond the skew and exp after iat', () => {
    const ok = { token_use: 'access', client_id: 'client-1' };
    expect(outcome(cognito, { ...ok, iat: base.iat, exp: base.exp })).toMatch(/^CLAIM_INVALID \(sub/);
    expect(outcome(cognito, { ...ok, sub: 'x', iat: base.iat })).toMatch(/^CLAIM_INVALID \(exp/);
    expect(outcome(cognito, { ...ok, sub: 'x', exp: base.exp })).toMatch(/^CLAIM_INVALID \(iat/);
    expect(reason(cognito, { ...ok, sub: 'x', iat: NOW + 61, exp: NOW + 600 })).toBe('IAT_IN_FUTURE');
    expect(reason(cognito, { ...ok, sub: 'x', iat: NOW + 59, exp: NOW + 600 })).toBe('accepted');
    expect(outcome(cognito, { ...ok, sub: 'x', iat: NOW, exp: NOW })).toBe('CLAIM_INVALID (exp not after iat)');
    expect(outcome(cognito, { ...ok, sub: 'x'.repeat(256), iat: NOW, exp: NOW + 1 })).toMatch(/^CLAIM_INVALID \(sub/);
  });

  it('type-checks the claims it reads', () => {
    const ok = { ...base, token_use: 'access', client_id: 'client-1' };
    expect(outcome(cognito, { ...ok, 'cognito:groups': 'Admins' })).toMatch(/^CLAIM_INVALID \(.*not an array/);
    expect(outcome(cognito, { ...ok, 'cognito:groups': [1] })).toMatch(/^CLAIM_INVALID \(.*not an array/);
    expect(outcome(cognito, { ...ok, email: 5 })).toBe('CLAIM_INVALID (email is not a string)');
    expect(outcome(cognito, { ...ok, exp: '1' })).toMatch(/^CLAIM_INVALID \(exp/);
  });

  it('local: access tokens for the gatehouse audience, with a millisecond iat that must agree with iat', () => {
    expect(check(local, { ...base, token_use: 'access', aud: 'gatehouse', iat_ms: (NOW - 10) * 1000 + 250 }).issuedAtMs).toBe((NOW - 10) * 1000 + 250);
    expect(reason(local, { ...base, token_use: 'access', aud: 'gatehouse', iat_ms: NOW * 1000 + 5000 })).toBe('CLAIM_INVALID');
    expect(reason(local, { ...base, token_use: 'access', aud: 'other' })).toBe('AUDIENCE_MISMATCH');
    expect(reason(local, { ...base, aud: 'gatehouse' })).toBe('TOKEN_USE_MISMATCH');
  });

  it('oidc: the audience may be a list', () => {
    expect(reason(oidc, { ...base, aud: ['x', 'api'] })).toBe('accepted');
    expect(reason(oidc, { ...base, aud: ['x'] })).toBe('AUDIENCE_MISMATCH');
    expect(reason(oidc, { ...base })).toBe('AUDIENCE_MISMATCH');
  });

  it('bridge: audience when configured, and a bounded lifetime', () => {
    expect(reason(bridge, { ...base, aud: 'api' })).toBe('accepted');
    expect(reason(bridge, { ...base, aud: 'api', exp: base.iat + 3601 })).toBe('LIFETIME_TOO_LONG');
    expect(reason(bridge, { ...base })).toBe('AUDIENCE_MISMATCH');
  });
});
