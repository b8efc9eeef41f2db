/**
 * The sign-in lockout as pure rules (issue #9 item 8). Ten failures used to lock an address for everyone, its owner
 * included, so anyone could keep any account locked. Now:
 * - per (address, client IP): after `clientMax` failures within `windowS`, that client is locked out of that address
 *   for `lockoutS` (429, even with the right password). Only failures count; a success clears the counts.
 * - per address, across clients: from `slowAfter` failures within the window on, each further attempt must wait a
 *   delay after the last failure that doubles with every failure (1 s, 2 s, 4 s … at most `maxDelayS`), answered as
 *   429 with that Retry-After. Guessing from many clients slows to one try per `maxDelayS`, while the owner, from a
 *   client of their own, gets in after at most that wait.
 * - the owner is mailed once per window when the address crosses `slowAfter` or a client gets locked.
 */
export interface LockoutLimits {
  clientMax: number;
  windowS: number;
  lockoutS: number;
  slowAfter: number;
  maxDelayS: number;
}

/** A stored counter: failures in the current window and when the last one happened. */
export interface FailureCount {
  failures: number;
  lastFailureAt: Date;
  lockedUntil: Date | null;
}

/** Derived from LOGIN_MAX_ATTEMPTS / LOGIN_ATTEMPT_WINDOW_S / LOGIN_LOCKOUT_S. */
export function lockoutLimits(r: { loginMaxAttempts: number; loginWindowS: number; loginLockoutS: number }): LockoutLimits {
  return { clientMax: r.loginMaxAttempts, windowS: r.loginWindowS, lockoutS: r.loginLockoutS, slowAfter: 2 * r.loginMaxAttempts, maxDelayS: 30 };
}

/** Seconds the address must rest after its last failure; 0 below the threshold. */
export function addressDelayS(failures: number, limits: LockoutLimits): number {
  if (failures < limits.slowAfter) return 0;
  return Math.min(2 ** Math.min(failures - limits.slowAfter, 16), limits.maxDelayS);
}

/** Seconds to wait before this attempt may be made (0: go ahead). */
export function retryAfterS(client: FailureCount | null, address: FailureCount | null, limits: LockoutLimits, now: Date): number {
  const waits = [0];
  if (client?.lockedUntil && client.lockedUntil > now) waits.push(client.lockedUntil.getTime() - now.getTime());
  if (address) {
    const until = address.lastFailureAt.getTime() + addressDelayS(address.failures, limits) * 1000;
    if (until > now.getTime()) waits.push(until - now.getTime());
  }
  const ms = Math.max(...waits);
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** Whether this failure is the one to tell the owner about (the first lock or slow-down of the window). */
export function worthAlerting(client: FailureCount, address: FailureCount, limits: LockoutLimits): boolean {
  return client.failures >= limits.clientMax || address.failures >= limits.slowAfter;
}
