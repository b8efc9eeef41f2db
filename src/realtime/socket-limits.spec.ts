import { ConnectionCounter, MessageBucket } from './socket-limits';

describe('MessageBucket (per-socket message rate)', () => {
  it('lets a burst through, then refuses until time refills it at the sustained rate', () => {
    const b = new MessageBucket(10, 3, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(50)).toBe(false); // half a token
    expect(b.take(100)).toBe(true); // one token after 100 ms at 10/s
    expect(b.take(100)).toBe(false);
  });

  it('never holds more than the burst however long the socket was idle', () => {
    const b = new MessageBucket(10, 2, 0);
    const taken = [1, 2, 3].map(() => b.take(60_000));
    expect(taken).toEqual([true, true, false]);
  });
});

describe('ConnectionCounter (WS_MAX_CONNECTIONS_PER_USER)', () => {
  it('refuses the socket over the cap, per user, and frees a slot on release', () => {
    const c = new ConnectionCounter(2);
    expect(c.reserve('u', 'a')).toBe(true);
    expect(c.reserve('u', 'b')).toBe(true);
    expect(c.reserve('u', 'c')).toBe(false);
    expect(c.reserve('v', 'x')).toBe(true);
    expect(c.reserve('u', 'a')).toBe(true); // the same socket again is not a new connection
    c.release('u', 'a');
    expect(c.reserve('u', 'c')).toBe(true);
    expect(c.count('u')).toBe(2);
  });

  it('forgets a user whose last socket is released', () => {
    const c = new ConnectionCounter(1);
    c.reserve('u', 'a');
    c.release('u', 'a');
    c.release('u', 'a');
    expect(c.count('u')).toBe(0);
  });
});
