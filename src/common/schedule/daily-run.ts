/** How long after start-up the first run of a daily job comes (then every 24 hours). */
export const FIRST_RUN_AFTER_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/** A started daily job; `stop()` clears its timers (application shutdown). */
export interface DailyRun {
  stop(): void;
}

/**
 * Runs `job` once, `firstAfterMs` after start-up, then every 24 hours. The first run is not a day away: an instance
 * restarted more often than daily (deploys, autoscaling) would otherwise never run it. It is not at start-up either,
 * so booting (and every test app) does not wait for it. A failure goes to `onError` and the next day runs as planned.
 * Timers are unref'd: a pending run never keeps the process alive.
 */
export function startDaily(job: () => Promise<unknown>, onError: (err: unknown) => void, firstAfterMs = FIRST_RUN_AFTER_MS): DailyRun {
  const run = (): void => {
    job().catch(onError);
  };
  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    run();
    interval = setInterval(run, DAY_MS);
    interval.unref();
  }, firstAfterMs);
  first.unref();
  return {
    stop(): void {
      clearTimeout(first);
      if (interval) clearInterval(interval);
    },
  };
}
