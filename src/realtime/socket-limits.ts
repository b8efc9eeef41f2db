/**
 * A token bucket per socket: `rate` messages a second sustained, `burst` at once. Two numbers on the socket, no timer:
 * the bucket refills lazily when a message arrives. Pure (the clock is passed in) so the rule is unit-tested.
 */
export class MessageBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes one token; false when the bucket is empty (the message is refused). */
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Sockets per user on this instance. A handshake over the cap is refused (the NEW socket, with TOO_MANY_CONNECTIONS):
 * closing the oldest instead would let whoever holds a stolen token push the owner's sockets off, one by one. Held
 * per instance, not cluster-wide: counting across instances would put an adapter round trip in every handshake.
 */
export class ConnectionCounter {
  private readonly byUser = new Map<string, Set<string>>();

  constructor(private readonly max: number) {}

  /** Reserves a slot for `socketId`; false when the user is at the cap. Idempotent per socket. */
  reserve(userId: string, socketId: string): boolean {
    let sockets = this.byUser.get(userId);
    if (!sockets) this.byUser.set(userId, (sockets = new Set()));
    if (sockets.has(socketId)) return true;
    if (sockets.size >= this.max) return false;
    sockets.add(socketId);
    return true;
  }

  release(userId: string, socketId: string): void {
    const sockets = this.byUser.get(userId);
    if (!sockets) return;
    sockets.delete(socketId);
    if (sockets.size === 0) this.byUser.delete(userId);
  }

  count(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }
}
