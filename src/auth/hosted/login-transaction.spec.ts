import { randomBytes } from 'node:crypto';
import { LoginTransaction, LoginTransactionSealer } from './login-transaction';

describe('LoginTransactionSealer', () => {
  const secret = randomBytes(32);
  let now = 1_000_000;
  const sealer = new LoginTransactionSealer(secret, () => now);
  const tx: LoginTransaction = { issuer: 'https://idp.example', verifier: 'v'.repeat(43), state: 's1', nonce: 'n1', expiresAt: now + 600_000 };

  it('round-trips a transaction and hides its contents', () => {
    const sealed = sealer.seal(tx);
    expect(sealed).not.toContain('vvvv');
    expect(Buffer.from(sealed.slice(3), 'base64url').toString('latin1')).not.toContain('s1');
    expect(sealer.open(sealed)).toEqual(tx);
  });

  it('refuses a value sealed under another secret', () => {
    expect(new LoginTransactionSealer(randomBytes(32), () => now).open(sealer.seal(tx))).toBeUndefined();
  });

  it('refuses any tampered byte (GCM tag)', () => {
    const sealed = sealer.seal(tx);
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[20] ^= 1;
    expect(sealer.open(`v1.${raw.toString('base64url')}`)).toBeUndefined();
  });

  it('refuses an expired transaction even when the browser still sends it', () => {
    const sealed = sealer.seal(tx);
    now += 600_001;
    expect(sealer.open(sealed)).toBeUndefined();
    now -= 600_001;
  });

  it.each([undefined, '', 'v1.', 'v2.abc', 'garbage', 'v1.' + 'A'.repeat(5000)])('refuses malformed value %p', (value) => {
    expect(sealer.open(value)).toBeUndefined();
  });
});
