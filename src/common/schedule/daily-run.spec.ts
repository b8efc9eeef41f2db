import { FIRST_RUN_AFTER_MS, startDaily } from './daily-run';

const DAY_MS = 86_400_000;

describe('startDaily: a job that runs a little after start-up, then once a day', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs first soon after start-up (not a day later), then every 24 hours', async () => {
    const job = jest.fn().mockResolvedValue(undefined);
    const daily = startDaily(job, () => undefined);
    jest.advanceTimersByTime(FIRST_RUN_AFTER_MS - 1);
    expect(job).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(job).toHaveBeenCalledTimes(1);
    expect(FIRST_RUN_AFTER_MS).toBeLessThan(DAY_MS / 24);
    jest.advanceTimersByTime(DAY_MS - 1);
    expect(job).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(job).toHaveBeenCalledTimes(2);
    daily.stop();
  });

  it('a failed run goes to onError and the next day still runs', async () => {
    const job = jest.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValue(undefined);
    const errors: unknown[] = [];
    const daily = startDaily(job, (err) => errors.push(err), 1_000);
    jest.advanceTimersByTime(1_000);
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toEqual([new Error('db down')]);
    jest.advanceTimersByTime(DAY_MS);
    expect(job).toHaveBeenCalledTimes(2);
    daily.stop();
  });

  it('stop() before the first run: it never runs; after it: no further day runs', () => {
    const job = jest.fn().mockResolvedValue(undefined);
    startDaily(job, () => undefined, 1_000).stop();
    jest.advanceTimersByTime(2 * DAY_MS);
    expect(job).not.toHaveBeenCalled();
    const daily = startDaily(job, () => undefined, 1_000);
    jest.advanceTimersByTime(1_000);
    daily.stop();
    jest.advanceTimersByTime(2 * DAY_MS);
    expect(job).toHaveBeenCalledTimes(1);
  });
});
