import { createHash, hash, randomBytes } from 'node:crypto';
import { tokenHashKey } from '../sessions/session-revocations';
import { tokenDigest, VerifiedTokenCache } from './verified-token.cache';
import type { VerifiedToken } from './verified-token';

// Counts digests (the real function runs): a cache look-up must compute none.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, hash: jest.fn(actual.hash), createHash: jest.fn(actual.createHash) };
});

describe('VerifiedTokenCache', () => {
  const tokens = ['a.b.c', `eyJ${randomBytes(600).toString('base64url')}.${randomBytes(64).toString('base64url')}.sig`, 'ünïcode.x.y'];

  it('a token digest is the SHA-256 (base64url) of its exact bytes: the key stored revocations (`tok:`) are made of', () => {
    for (const t of tokens) {
      const sha = createHash('sha256').update(t).digest('base64url');
      expect(tokenDigest(t)).toBe(sha);
      expect(tokenHashKey(t)).toBe(sha);
    }
  });

  it('a look-up costs no crypto: neither a hit nor a miss computes a digest (the hot path of issue #10)', () => {
    const cache = new VerifiedTokenCache(10, () => 0);
    const verified = { expiresAt: 60 } as VerifiedToken;
    cache.set(tokens[1]!, verified);
    jest.mocked(hash).mockClear();
    jest.mocked(createHash).mockClear();
    expect(cache.get(tokens[1]!)).toBe(verified);
    expect(cache.get(`${tokens[1]!}x`)).toBeUndefined();
    expect(hash).not.toHaveBeenCalled();
    expect(createHash).not.toHaveBeenCalled();
  });

  it('a token is found by an equal string, whichever string holds it (a slice of a Cookie header stored, a bearer header read)', () => {
    const cache = new VerifiedTokenCache(10, () => 0);
    const verified = { expiresAt: 60 } as VerifiedToken;
    const cookieHeader = `other=${'x'.repeat(4000)}; session=${tokens[1]!}; more=y`;
    const start = cookieHeader.indexOf('session=') + 'session='.length;
    cache.set(cookieHeader.slice(start, start + tokens[1]!.length), verified);
    expect(cache.get(`Bearer ${tokens[1]!}`.slice(7))).toBe(verified);
    expect(cache.get(tokens[1]!)).toBe(verified);
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
