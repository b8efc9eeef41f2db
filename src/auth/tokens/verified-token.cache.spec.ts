import { createHash, randomBytes } from 'node:crypto';
import { tokenHashKey } from '../sessions/session-revocations';
import { VerifiedTokenCache } from './verified-token.cache';
import type { VerifiedToken } from './verified-token';

describe('VerifiedTokenCache', () => {
  const tokens = ['a.b.c', `eyJ${randomBytes(600).toString('base64url')}.${randomBytes(64).toString('base64url')}.sig`, 'ünïcode.x.y'];

  it('keys a token by the SHA-256 (base64url) of its exact bytes: the key stored revocations (`tok:`) are made of', () => {
    for (const t of tokens) {
      const sha = createHash('sha256').update(t).digest('base64url');
      expect(VerifiedTokenCache.key(t)).toBe(sha);
      expect(tokenHashKey(t)).toBe(sha);
    }
  });

  it('a hit needs the exact bytes, and never outlives the token', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(10, () => now);
    const verified = { expiresAt: 1_000 + 60 } as VerifiedToken;
    cache.set(tokens[1]!, verified);
    expect(cache.get(tokens[1]!)).toBe(verified);
    expect(cache.get(tokens[1]!.slice(0, -1))).toBeUndefined();
    expect(cache.get(`${tokens[1]!} `)).toBeUndefined();
    now = 1_060_000;
    expect(cache.get(tokens[1]!)).toBeUndefined();
  });

  it('holds nothing but three base64url segments (what verification parsed): the hot path relies on it', () => {
    const cache = new VerifiedTokenCache(10, () => 0);
    const verified = { expiresAt: 60 } as VerifiedToken;
    for (const odd of ['a.b.c d', 'a.b', 'a.b.c.d', 'a+b.c.d', 'a.b.c=', 'ünïcode.x.y', '']) {
      cache.set(odd, verified);
      expect(cache.get(odd)).toBeUndefined();
    }
    cache.set('a-_.b.c', verified);
    expect(cache.get('a-_.b.c')).toBe(verified);
  });
});
