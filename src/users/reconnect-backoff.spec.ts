import { reconnectDelayMs, RECONNECT_FIRST_MS, RECONNECT_MAX_MS } from './reconnect-backoff';

describe('the change listener reconnect backoff', () => {
  it('doubles from the first delay', () => {
    expect([1, 2, 3, 4].map(reconnectDelayMs)).toEqual([RECONNECT_FIRST_MS, RECONNECT_FIRST_MS * 2, RECONNECT_FIRST_MS * 4, RECONNECT_FIRST_MS * 8]);
  });

  it('is capped, however long the outage', () => {
    expect(reconnectDelayMs(7)).toBe(RECONNECT_MAX_MS);
    expect(reconnectDelayMs(10_000)).toBe(RECONNECT_MAX_MS);
  });

  it('never waits less than the first delay', () => {
    expect(reconnectDelayMs(0)).toBe(RECONNECT_FIRST_MS);
  });
});
