import { randomBytes } from 'node:crypto';
import { bearerCandidate, bearerToken } from './bearer';

const jws = `eyJ${randomBytes(30).toString('base64url')}.${randomBytes(600).toString('base64url')}.${randomBytes(256).toString('base64url')}`;

describe('bearerCandidate (the hot path look-up) against bearerToken (the rule)', () => {
  it('for a compact JWS, gives exactly the token the rule gives, whatever the scheme case', () => {
    for (const header of [`Bearer ${jws}`, `bearer ${jws}`, `BEARER ${jws}`]) {
      expect(bearerCandidate(header)).toBe(jws);
      expect(bearerToken(header)).toBe(jws);
    }
  });

  it('gives nothing for another scheme, no header, several headers or an oversized one (then the rule decides)', () => {
    for (const header of [undefined, `Basic ${jws}`, 'Bearer', 'Bearer ', [`Bearer ${jws}`], `Bearer ${'a'.repeat(9_000)}`]) expect(bearerCandidate(header)).toBeUndefined();
  });

  it('what the rule refuses is never a compact JWS, so it can never be found in the verified-token cache', () => {
    // The cache only holds three base64url segments (verified-token.cache.spec); these candidates are not.
    const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
    for (const header of [`Bearer  ${jws}`, `Bearer ${jws} x`, `Bearer ${jws}\u0000`, `Bearer ${jws},${jws}`]) {
      expect(() => bearerToken(header)).toThrow();
      expect(COMPACT_JWS.test(bearerCandidate(header) ?? '')).toBe(false);
    }
  });
});
