/**
 * How long the change listener waits before its next reconnect attempt: doubling from FIRST_MS, capped at MAX_MS. A
 * database that is down for an hour costs a handful of attempts a minute (and no log line per attempt), while a blip
 * is over in half a second.
 */
export const RECONNECT_FIRST_MS = 500;
export const RECONNECT_MAX_MS = 30_000;

/** The wait before attempt `failures + 1`, after `failures` (≥ 1) attempts in a row have failed. */
export function reconnectDelayMs(failures: number): number {
  const exponent = Math.max(0, Math.min(failures - 1, 20));
  return Math.min(RECONNECT_FIRST_MS * 2 ** exponent, RECONNECT_MAX_MS);
}
