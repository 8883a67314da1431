import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';

/** What the throttler guard needs of a hit (ThrottlerStorageRecord, which the package does not export). */
type Hit = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One key's counts: hits in its current window and the one before, and until when it is blocked. */
interface Counter {
  ttl: number;
  /** When the current window began (a multiple of the ttl). */
  start: number;
  current: number;
  previous: number;
  blockedUntil: number;
}

/** How often counters idle for two windows are dropped. */
const SWEEP_MS = 60_000;

/**
 * The rate limits' in-memory counts, at a cost per request that depends neither on the limit nor
 * on the hits: a sliding-window counter per key (the hits of the current fixed window, plus those
 * of the previous one weighted by how much of it the sliding window still covers), two numbers
 * where `@nestjs/throttler`'s own storage keeps one expiry per hit and filters them all on every
 * request. As there, the hit that passes the limit blocks the key for `blockDuration` (Retry-After),
 * hits while blocked are not counted, and the key starts afresh once the block ends.
 */
@Injectable()
export class WindowCounterStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly counters = new Map<string, Counter>();
  private readonly sweep = setInterval(() => this.dropIdle(Date.now()), SWEEP_MS).unref();

  increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<Hit> {
    const now = Date.now();
    const counter = this.slid(key, ttl, now);
    const timeToExpire = seconds(counter.start + ttl - now);
    if (counter.blockedUntil > now) {
      return Promise.resolve({
        totalHits: limit + 1,
        timeToExpire,
        isBlocked: true,
        timeToBlockExpire: seconds(counter.blockedUntil - now),
      });
    }
    if (counter.blockedUntil > 0) Object.assign(counter, { current: 0, previous: 0, blockedUntil: 0 });
    counter.current += 1;
    const totalHits = Math.ceil(counter.previous * (1 - (now - counter.start) / ttl) + counter.current);
    const isBlocked = totalHits > limit;
    if (isBlocked) counter.blockedUntil = now + blockDuration;
    return Promise.resolve({
      totalHits,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? seconds(blockDuration) : 0,
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    this.counters.clear();
  }

  /** The key's counter with its windows moved on to the one `now` is in. */
  private slid(key: string, ttl: number, now: number): Counter {
    const start = now - (now % ttl);
    const counter = this.counters.get(key);
    if (!counter) {
      const fresh = { ttl, start, current: 0, previous: 0, blockedUntil: 0 };
      this.counters.set(key, fresh);
      return fresh;
    }
    if (counter.start !== start) {
      counter.previous = counter.start === start - ttl ? counter.current : 0;
      counter.current = 0;
      counter.start = start;
    }
    return counter;
  }

  /** Drops the counters with no hit in their last two windows and no block left. */
  private dropIdle(now: number): void {
    for (const [key, { ttl, start, blockedUntil }] of this.counters) {
      if (blockedUntil <= now && now - start >= 2 * ttl) this.counters.delete(key);
    }
  }
}

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
