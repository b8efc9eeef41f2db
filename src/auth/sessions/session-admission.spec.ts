import { BoundedKeySet } from './session-admission';

describe('BoundedKeySet (sessions that passed, per instance)', () => {
  it('remembers keys', () => {
    const s = new BoundedKeySet(10);
    s.add('sid:a');
    expect(s.has('sid:a')).toBe(true);
    expect(s.has('sid:b')).toBe(false);
  });

  it('never grows past its bound: the oldest tenth goes first', () => {
    const s = new BoundedKeySet(10);
    for (let i = 0; i < 25; i++) s.add(`k${i}`);
    expect(s.size).toBeLessThanOrEqual(10);
    expect(s.has('k0')).toBe(false);
    expect(s.has('k24')).toBe(true);
  });

  it('adding a key it holds changes nothing', () => {
    const s = new BoundedKeySet(2);
    s.add('a');
    s.add('b');
    s.add('a');
    expect([s.has('a'), s.has('b'), s.size]).toEqual([true, true, 2]);
  });
});
