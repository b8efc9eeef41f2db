import { decodeBase32, totpCode, totpCommand } from './totp-code';

describe('cli totp', () => {
  // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 below), truncated to 6 digits.
  const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('computes the RFC 6238 test vectors', () => {
    expect(totpCode(RFC_SECRET, 59_000)).toBe('287082');
    expect(totpCode(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
    expect(totpCode(RFC_SECRET, 1_234_567_890_000)).toBe('005924');
    expect(totpCode(RFC_SECRET, 20_000_000_000_000)).toBe('353130');
  });

  it('reads the secret as apps do: lower case, spaces and padding ignored', () => {
    expect(totpCode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq==', 59_000)).toBe('287082');
    expect(decodeBase32('not base32!')).toBeUndefined();
  });

  it('prints the code in development and refuses in production', () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(totpCommand(false, [RFC_SECRET], (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(out[0]).toMatch(/^\d{6}$/);
    expect(totpCommand(true, [RFC_SECRET], (l) => out.push(l), (l) => err.push(l))).toBe(2);
    expect(err.at(-1)).toContain('refused with NODE_ENV=production');
    expect(out).toHaveLength(1);
    expect(totpCommand(false, ['1'], () => undefined, (l) => err.push(l))).toBe(2);
  });
});
