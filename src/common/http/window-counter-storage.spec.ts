import { WindowCounterStorage } from './window-counter-storage';

const MINUTE = 60_000;

describe('WindowCounterStorage', () => {
  let storage: WindowCounterStorage;
  /** Sends `hits` requests for `key` at the current time; the last one's record. */
  const hit = async (hits = 1, key = 'address', limit = 10) => {
    let record = await storage.increment(key, MINUTE, limit, MINUTE);
    for (let i = 1; i < hits; i++) record = await storage.increment(key, MINUTE, limit, MINUTE);
    return record;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2027-01-01T00:00:00Z') });
    storage = new WindowCounterStorage();
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('lets the limit through and blocks the hit past it for blockDuration, with the seconds left', async () => {
    expect(await hit(10)).toMatchObject({ totalHits: 10, isBlocked: false, timeToExpire: 60 });
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
  });

  it('keeps a blocked key blocked without counting its hits, and starts it afresh once the block ends', async () => {
    await hit(11);
    jest.advanceTimersByTime(30_000);
    expect(await hit(100)).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    jest.advanceTimersByTime(30_000);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts the previous window by how much of it the sliding window still covers', async () => {
    jest.advanceTimersByTime(MINUTE - 1_000);
    await hit(10);
    jest.advanceTimersByTime(1_000 + MINUTE / 4);
    // three quarters of the previous window's 10 hits still count: 8 (rounded up) + 2 more passes the limit
    expect(await hit(2)).toMatchObject({ totalHits: 10, isBlocked: false });
    expect(await hit()).toMatchObject({ isBlocked: true });
  });

  it('forgets a window two windows old', async () => {
    await hit(10);
    jest.advanceTimersByTime(2 * MINUTE);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts each key on its own', async () => {
    await hit(11, 'flood');
    expect(await hit(1, 'quiet')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps one small counter per key however many hits and however high the limit', async () => {
    await hit(100_000, 'busy', 1_000_000);
    const counters = (storage as unknown as { counters: Map<string, object> }).counters;
    expect([...counters.values()]).toEqual([
      { ttl: MINUTE, start: Date.parse('2027-01-01T00:00:00Z'), current: 100_000, previous: 0, blockedUntil: 0 },
    ]);
  });

  it('drops counters idle for two windows', async () => {
    await hit(3, 'gone');
    jest.advanceTimersByTime(3 * MINUTE);
    await hit(1, 'here');
    const counters = (storage as unknown as { counters: Map<string, object> }).counters;
    expect([...counters.keys()]).toEqual(['here']);
  });
});
