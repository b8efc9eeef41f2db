import type { LocalDirectoryRow } from './local-directory.repository';
import {
  attributePatch,
  decodeCursor,
  directoryStatus,
  emailPrefixFilter,
  encodeCursor,
  normalizeEmail,
  pageLimit,
  passwordPolicyViolation,
  temporaryPassword,
  toDirectoryUser,
} from './local-directory';

const row = (over: Partial<LocalDirectoryRow> = {}): LocalDirectoryRow => ({
  id: '7d1c5a52-4d7e-4f55-9c3b-0f6f0b4f2b11',
  subject: 'f3a3b7a4-0d43-4a8e-8f44-2c9b6f5c2d10',
  email: 'ada@example.com',
  emailVerified: true,
  fullName: null,
  status: 'active',
  role: 'user',
  organizationId: null,
  mustChangePassword: false,
  totpEnabled: false,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-01T00:00:00Z'),
  createdAtKey: '2025-01-01T00:00:00.123456Z',
  ...over,
});

describe('local directory rules', () => {
  it('status words: a temporary password outranks an unverified address', () => {
    expect(directoryStatus({ mustChangePassword: true, emailVerified: false })).toBe('FORCE_CHANGE_PASSWORD');
    expect(directoryStatus({ mustChangePassword: false, emailVerified: false })).toBe('UNCONFIRMED');
    expect(directoryStatus({ mustChangePassword: false, emailVerified: true })).toBe('CONFIRMED');
  });

  it('a user is shown by subject, disabled only when disabled, with TOTP as its factor when enabled', () => {
    expect(toDirectoryUser(row({ status: 'suspended', fullName: 'Ada', organizationId: 'org-1', totpEnabled: true }))).toMatchObject({
      username: row().subject,
      subject: row().subject,
      enabled: true,
      status: 'CONFIRMED',
      mfa: ['totp'],
      preferredMfa: 'totp',
      attributes: { sub: row().subject, email: 'ada@example.com', name: 'Ada', 'custom:organizationId': 'org-1' },
    });
    const plain = toDirectoryUser(row({ status: 'disabled' }));
    expect(plain).toMatchObject({ enabled: false, mfa: [] });
    expect(plain.attributes).toEqual({ sub: row().subject, email: 'ada@example.com' });
    expect(plain).not.toHaveProperty('preferredMfa');
  });

  it('limits are clamped to 1..60 with 20 by default', () => {
    expect([pageLimit(undefined), pageLimit(0), pageLimit(-5), pageLimit(2.7), pageLimit(500), pageLimit(Number.NaN)]).toEqual([20, 1, 1, 2, 60, 20]);
  });

  it('a cursor round-trips, and anything else is refused before it reaches SQL', () => {
    const key = { createdAtKey: '2025-01-01T00:00:00.123456Z', id: row().id };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of ['', 'not base64 at all!', forged({ a: 1 }), forged([key.createdAtKey]), forged(["2025-01-01'; DROP TABLE x;--", key.id]), forged([key.createdAtKey, 'x'])]) {
      expect(decodeCursor(bad)).toBeUndefined();
    }
  });

  it('filters by prefix, plain or in Cognito syntax', () => {
    expect(emailPrefixFilter(undefined)).toBeUndefined();
    expect(emailPrefixFilter('  ')).toBeUndefined();
    expect(emailPrefixFilter('Ada')).toBe('Ada');
    expect(emailPrefixFilter('email ^= "ada@"')).toBe('ada@');
  });

  it('attributes: name/fullName, email, custom:organizationId; anything else refuses the whole update', () => {
    expect(attributePatch({ name: ' Ada ', 'custom:organizationId': '' })).toEqual({ patch: { fullName: 'Ada', organizationId: null } });
    expect(attributePatch({ fullName: 'Ada', name: 'Ada' })).toEqual({ patch: { fullName: 'Ada' } });
    expect(attributePatch({ email: ' Ada@Example.COM ' })).toEqual({ patch: { email: 'ada@example.com' } });
    expect(attributePatch({ fullName: 'Ada', name: 'Bob' })).toHaveProperty('error');
    expect(attributePatch({ email: 'nope' })).toHaveProperty('error');
    expect(attributePatch({ name: 'x'.repeat(201) })).toHaveProperty('error');
    for (const key of ['sub', 'custom:role', 'email_verified', '__proto__']) expect(attributePatch({ name: 'Ada', [key]: 'x' })).toHaveProperty('error');
  });

  it('emails are normalised as the DTOs do', () => {
    expect(normalizeEmail(' Ada@Example.com ')).toBe('ada@example.com');
    expect(normalizeEmail('no-at-sign')).toBeUndefined();
    expect(normalizeEmail(42)).toBeUndefined();
  });

  it('password policy: code points, a cap, never the address', () => {
    expect(passwordPolicyViolation('short', 'a@b.c', 8, 1024)).toMatch(/shorter/);
    expect(passwordPolicyViolation('🔑🔑🔑🔑🔑🔑🔑🔑', 'a@b.c', 8, 1024)).toBeUndefined();
    expect(passwordPolicyViolation('x'.repeat(1025), 'a@b.c', 8, 1024)).toMatch(/longer/);
    expect(passwordPolicyViolation(' Ada@Example.com', 'ada@example.com', 8, 1024)).toMatch(/email/);
  });

  it('temporary passwords are long, random and as long as the policy asks', () => {
    const a = temporaryPassword(8);
    expect(a).toHaveLength(20);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(temporaryPassword(8)).not.toBe(a);
    expect(temporaryPassword(64)).toHaveLength(64);
  });
});
