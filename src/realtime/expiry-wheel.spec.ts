import { ExpiryWheel, type WheelTimer } from './expiry-wheel';

/** A manual clock and timer: `advance` moves time and fires the one armed timer when its time has come. */
function harness() {
  let now = 1_000_000;
  let armed: { fn: () => void; at: number } | undefined;
  let timersSet = 0;
  const timer: WheelTimer = {
    set: (fn, ms) => {
      timersSet++;
      armed = { fn, at: now + ms };
      return armed;
    },
    clear: (h) => {
      if (armed === h) armed = undefined;
    },
  };
  const due: string[] = [];
  const wheel = new ExpiryWheel<string>((item) => due.push(item), () => now, timer);
  const advance = (ms: number) => {
    const until = now + ms;
    while (armed && armed.at <= until) {
      now = armed.at;
      const { fn } = armed;
      armed = undefined;
      fn();
    }
    now = until;
  };
  return { wheel, due, advance, timers: () => timersSet, at: () => now };
}

describe('ExpiryWheel', () => {
  it('calls each item back once its deadline passes, never before, in deadline order', () => {
    const { wheel, due, advance, at } = harness();
    wheel.set('b', at() + 2_000);
    wheel.set('a', at() + 1_000);
    wheel.set('c', at() + 2_000);
    advance(999);
    expect(due).toEqual([]);
    advance(1);
    expect(due).toEqual(['a']);
    advance(1_000);
    expect(due.sort()).toEqual(['a', 'b', 'c']);
    expect(wheel.size).toBe(0);
  });

  it('a deleted item is never called back; a moved one is called at its new deadline only', () => {
    const { wheel, due, advance, at } = harness();
    wheel.set('gone', at() + 1_000);
    wheel.set('moved', at() + 1_000);
    wheel.delete('gone');
    wheel.set('moved', at() + 5_000);
    advance(4_999);
    expect(due).toEqual([]);
    advance(1);
    expect(due).toEqual(['moved']);
  });

  it('items sharing a deadline share one bucket and one timer', () => {
    const { wheel, due, advance, at, timers } = harness();
    const deadline = at() + 60_000;
    for (let i = 0; i < 1_000; i++) wheel.set(`s${i}`, deadline);
    expect(timers()).toBe(1);
    advance(60_000);
    expect(due).toHaveLength(1_000);
  });

  it('a deadline already past is due at the next turn; one beyond the timer ceiling is reached in steps', () => {
    const { wheel, due, advance, at } = harness();
    wheel.set('past', at() - 5);
    advance(0);
    expect(due).toEqual(['past']);
    wheel.set('far', at() + 40 * 24 * 3600 * 1000);
    advance(30 * 24 * 3600 * 1000);
    expect(due).toEqual(['past']);
    advance(10 * 24 * 3600 * 1000);
    expect(due).toEqual(['past', 'far']);
  });

  it('a callback may set a new deadline for its item (a refresh): it is due again then', () => {
    const due: string[] = [];
    let now = 0;
    let armed: { fn: () => void; at: number } | undefined;
    const wheel: ExpiryWheel<string> = new ExpiryWheel<string>(
      (item) => {
        due.push(item);
        if (due.length === 1) wheel.set(item, now + 1_000);
      },
      () => now,
      { set: (fn, ms) => (armed = { fn, at: now + ms }), clear: () => (armed = undefined) },
    );
    wheel.set('s', 1_000);
    for (const t of [1_000, 2_000]) {
      now = t;
      const a = armed!;
      armed = undefined;
      a.fn();
    }
    expect(due).toEqual(['s', 's']);
  });
});
