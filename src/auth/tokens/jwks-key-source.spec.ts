import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { JwksKeySource } from './jwks-key-source';

const key = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;

describe('JwksKeySource', () => {
  let now = 0;
  let calls = 0;
  let published = new Map<string, KeyObject>();
  let failing = false;
  const fetcher = async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 5));
    if (failing) throw new Error('down');
    return new Map(published);
  };
  const source = () => new JwksKeySource('http://jwks', fetcher, { minRefetchIntervalMs: 10_000, now: () => now });
  beforeEach(() => {
    now = 1_000_000;
    calls = 0;
    failing = false;
    published = new Map([['k1', key()]]);
  });

  it('fetches once for concurrent misses and serves hits from memory', async () => {
    const s = source();
    const got = await Promise.all([s.getKey('k1'), s.getKey('k1'), s.getKey('k1')]);
    expect(got.every((k) => k === got[0] && k !== undefined)).toBe(true);
    await s.getKey('k1');
    expect(calls).toBe(1);
  });

  it('refetches for an unknown kid at most once per interval', async () => {
    const s = source();
    await s.getKey('k1');
    for (let i = 0; i < 50; i++) expect(await s.getKey(`random-${i}`)).toBeUndefined();
    expect(calls).toBe(1);
    now += 10_001;
    published.set('k2', key());
    expect(await s.getKey('k2')).toBeDefined();
    expect(calls).toBe(2);
  });

  it('keeps the last good keys when the endpoint fails, and drops keys a later fetch no longer lists', async () => {
    const s = source();
    await s.start();
    s.stop();
    failing = true;
    now += 20_000;
    expect(await s.getKey('unknown')).toBeUndefined();
    expect(await s.getKey('k1')).toBeDefined();
    failing = false;
    published = new Map([['k3', key()]]);
    now += 20_000;
    await s.refresh();
    expect(await s.getKey('k1')).toBeUndefined();
    expect(await s.getKey('k3')).toBeDefined();
  });

  it('never guesses a key for a token without kid', async () => {
    const s = source();
    await s.start();
    s.stop();
    expect(await s.getKey(undefined)).toBeUndefined();
  });
});
