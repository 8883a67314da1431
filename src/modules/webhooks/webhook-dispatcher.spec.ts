import { loadConfig } from '../../config/env';
import { retryDelayMs } from './webhook-dispatcher';

describe(retryDelayMs.name, () => {
  const defaults = loadConfig({}).webhooks;
  const HOUR_MS = 3600 * 1000;

  it('waits WEBHOOK_RETRY_BASE_MS after the first failure, twice as long after each next one', () => {
    expect([1, 2, 3, 4].map((attempts) => retryDelayMs(attempts, defaults))).toEqual([5000, 10_000, 20_000, 40_000]);
  });

  it('never waits longer than 10 hours between attempts', () => {
    expect(retryDelayMs(15, defaults)).toBe(10 * HOUR_MS);
  });

  it('gives up after WEBHOOK_MAX_ATTEMPTS attempts', () => {
    expect(retryDelayMs(defaults.maxAttempts - 1, defaults)).not.toBeNull();
    expect(retryDelayMs(defaults.maxAttempts, defaults)).toBeNull();
  });

  it('keeps trying for at least 24 hours with the defaults', () => {
    let total = 0;
    for (let attempts = 1; attempts < defaults.maxAttempts; attempts++) total += retryDelayMs(attempts, defaults)!;
    expect(total).toBeGreaterThanOrEqual(24 * HOUR_MS);
    expect(total / HOUR_MS).toBeCloseTo(31.4, 1);
  });
});
