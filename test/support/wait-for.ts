/**
 * The one poller for tests: calls `check` until it returns true or `timeoutMs` runs out (then throws, naming `what`),
 * and resolves with how long it took. For conditions that become true asynchronously (a notice, a mail, a detached
 * call); never for waiting out a clock: where the code under test takes `now`, pass it a time instead.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > opts.timeoutMs) throw new Error(`${opts.what ?? 'condition'} not met within ${opts.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 20));
  }
}
