/** setTimeout's ceiling (about 24.8 days); a later deadline is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The one timer the wheel needs, injectable so the rule is unit-tested without waiting. */
export interface WheelTimer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimer: WheelTimer = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Deadlines for many items (sockets) on ONE timer. A setTimeout per socket costs a Timeout object, a closure and,
 * because every socket's remaining time differs, a timer list of its own per socket; here an item costs one entry in
 * a bucket per deadline (tokens expire on whole seconds, so sockets sharing a token or a second share a bucket) and
 * one in the item index. The timer is armed for the earliest deadline and re-armed after each firing, so an item is
 * called back when its deadline passes, never before.
 */
export class ExpiryWheel<T> {
  /** deadline (ms) → items due then. */
  private readonly buckets = new Map<number, Set<T>>();
  /** item → its deadline, so an item can be moved or removed without the caller remembering it. */
  private readonly deadlines = new Map<T, number>();
  private handle: unknown;
  /** The deadline the timer is armed for (Infinity: not armed). */
  private armedFor = Infinity;

  constructor(
    private readonly onDue: (item: T) => void,
    private readonly now: () => number = Date.now,
    private readonly timer: WheelTimer = realTimer,
  ) {}

  /** Sets (or moves) the item's deadline. */
  set(item: T, deadlineMs: number): void {
    this.delete(item);
    let bucket = this.buckets.get(deadlineMs);
    if (!bucket) this.buckets.set(deadlineMs, (bucket = new Set()));
    bucket.add(item);
    this.deadlines.set(item, deadlineMs);
    if (deadlineMs < this.armedFor) this.arm(deadlineMs);
  }

  delete(item: T): void {
    const deadline = this.deadlines.get(item);
    if (deadline === undefined) return;
    this.deadlines.delete(item);
    const bucket = this.buckets.get(deadline);
    bucket?.delete(item);
    if (bucket?.size === 0) this.buckets.delete(deadline);
    // The timer stays armed: firing with nothing due only re-arms it for the next deadline.
  }

  get size(): number {
    return this.deadlines.size;
  }

  private arm(deadlineMs: number): void {
    if (this.handle !== undefined) this.timer.clear(this.handle);
    this.armedFor = deadlineMs;
    this.handle = this.timer.set(() => this.fire(), Math.min(Math.max(deadlineMs - this.now(), 0), MAX_TIMER_MS));
  }

  private fire(): void {
    this.handle = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    let next = Infinity;
    const due: T[] = [];
    for (const [deadline, bucket] of this.buckets) {
      if (deadline <= now) {
        for (const item of bucket) due.push(item);
      } else if (deadline < next) {
        next = deadline;
      }
    }
    for (const item of due) this.delete(item);
    if (next !== Infinity) this.arm(next);
    // Called back last: a callback may set new deadlines (a refresh), which re-arm the timer themselves.
    for (const item of due) this.onDue(item);
  }
}
