import { hash } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { decode, verify } from 'jsonwebtoken';
import { generateRsaPem, jwkThumbprint, LocalSigningKey } from './local-keys';
import { PasswordHasher } from './password-hasher';
import { normalizeRecoveryCode, opaqueToken, recoveryCode, sixDigitCode } from './random-codes';
import { SecretBox } from './secret-box';

describe('PasswordHasher (argon2id)', () => {
  const hasher = new PasswordHasher({ memoryCost: 8192, timeCost: 2, parallelism: 1 });

  it('hashes with argon2id and verifies only the same password', async () => {
    const h = await hasher.hash('correct horse battery staple');
    expect(h.startsWith('$argon2id$')).toBe(true);
    expect(await hasher.verify(h, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(h, 'correct horse battery stapl')).toBe(false);
  });

  it('does not truncate long passphrases: a change in the 500th character matters', async () => {
    const long = 'x'.repeat(499);
    const h = await hasher.hash(`${long}a`);
    expect(await hasher.verify(h, `${long}a`)).toBe(true);
    expect(await hasher.verify(h, `${long}b`)).toBe(false);
  });

  it('fails closed on a corrupt hash', async () => {
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
    expect(await hasher.verifyDummy('anything')).toBe(false);
  });

  it('asks for a rehash when the stored parameters are weaker than today’s', async () => {
    const weak = await hash('pw', { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const argon2i = await hash('pw', { algorithm: 1, memoryCost: 8192, timeCost: 2, parallelism: 1 });
    expect(hasher.needsRehash(weak)).toBe(true);
    expect(hasher.needsRehash(argon2i)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('pw'))).toBe(false);
    expect(hasher.needsRehash('garbage')).toBe(true);
  });

  it('defaults to at least OWASP’s argon2id minimum (m=19 MiB, t=2, p=1)', () => {
    const p = new PasswordHasher().params;
    expect(p.memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(p.timeCost).toBeGreaterThanOrEqual(2);
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips, with a fresh IV each time', () => {
    const a = box.encrypt('JBSWY3DPEHPK3PXP', 'totp:u1');
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.encrypt('JBSWY3DPEHPK3PXP', 'totp:u1')).not.toBe(a);
    expect(box.decrypt(a, 'totp:u1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a value moved to another user, tampered with, or sealed under another key', () => {
    const sealed = box.encrypt('secret', 'totp:u1');
    expect(() => box.decrypt(sealed, 'totp:u2')).toThrow();
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] ^= 1;
    expect(() => box.decrypt([parts[0], parts[1], parts[2], ct.toString('base64url')].join('.'), 'totp:u1')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed, 'totp:u1')).toThrow();
    expect(() => box.decrypt('v1.x', 'totp:u1')).toThrow();
  });

  it('keys its hashes: same input, different purpose or key → different hash', () => {
    expect(box.mac('refresh', 'abc')).toBe(box.mac('refresh', 'abc'));
    expect(box.mac('refresh', 'abc')).not.toBe(box.mac('password_reset', 'abc'));
    expect(new SecretBox(randomBytes(32)).mac('refresh', 'abc')).not.toBe(box.mac('refresh', 'abc'));
    expect(SecretBox.equal(box.mac('a', 'b'), box.mac('a', 'b'))).toBe(true);
    expect(SecretBox.equal(box.mac('a', 'b'), box.mac('a', 'c'))).toBe(false);
    expect(() => new SecretBox(randomBytes(16))).toThrow();
  });
});

describe('random codes', () => {
  it('six-digit codes keep leading zeros and spread over the range', () => {
    const codes = Array.from({ length: 2000 }, sixDigitCode);
    for (const c of codes) expect(c).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(1990);
  });

  it('recovery codes are 80-bit, readable, and normalise what people type', () => {
    const c = recoveryCode();
    expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(normalizeRecoveryCode(c.toLowerCase().replace(/-/g, ' '))).toBe(normalizeRecoveryCode(c));
    expect(normalizeRecoveryCode('abcd-efgh-oOil-1234')).toBe('ABCDEFGH00111234');
    expect(opaqueToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('LocalSigningKey', () => {
  const pem = generateRsaPem();
  const key = new LocalSigningKey(pem);

  it('derives the kid from the key (RFC 7638) and serves only the public half', async () => {
    expect(key.kid).toBe(jwkThumbprint(key.jwk));
    expect(new LocalSigningKey(pem).kid).toBe(key.kid);
    expect(key.jwks().keys[0]).not.toHaveProperty('d');
    expect(await key.getKey(key.kid)).toBeDefined();
    expect(await key.getKey('other')).toBeUndefined();
    expect(await key.getKey(undefined)).toBeUndefined();
  });

  it('signs RS256 access tokens with kid, iat_ms consistent with iat, and the given lifetime', async () => {
    const token = key.signAccessToken({ issuer: 'http://gh', audience: 'gatehouse', subject: 's1', ttlS: 900, email: 'a@b.c', nowMs: 1_700_000_000_123 });
    const { header, payload } = decode(token, { complete: true }) as { header: { alg: string; kid: string }; payload: Record<string, number | string> };
    expect(header).toMatchObject({ alg: 'RS256', kid: key.kid });
    expect(payload).toMatchObject({ iss: 'http://gh', sub: 's1', aud: 'gatehouse', token_use: 'access', iat: 1_700_000_000, iat_ms: 1_700_000_000_123, exp: 1_700_000_900 });
    const publicKey = (await key.getKey(key.kid))!;
    expect(verify(token, publicKey, { algorithms: ['RS256'], ignoreExpiration: true })).toMatchObject({ sub: 's1' });
    expect(() => verify(`${token}x`, publicKey, { algorithms: ['RS256'], ignoreExpiration: true })).toThrow();
  });
});
