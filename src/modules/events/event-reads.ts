import { LRUCache } from 'lru-cache';
import { Page } from '../../common/pagination/pagination-query.dto';
import { EventResponseDto } from './dto/event-response.dto';

/** How long this process serves a public event read without asking the database again. */
export const EVENT_READ_TTL_MS = 1_000;

/**
 * The public reads of events (one event, a page of the list), kept for EVENT_READ_TTL_MS, so a
 * read is never staler than that: another process's sales show within a second. A write through
 * this process is seen at once: it drops what it changed (`changed`), and a read that was under
 * way while any write finished is answered but not kept, since it may have read the row before
 * the write committed.
 */
export class EventReads {
  private readonly events = new LRUCache<number, Readonly<EventResponseDto>>({ max: 10_000, ttl: EVENT_READ_TTL_MS });
  private readonly pages = new LRUCache<string, Readonly<Page<EventResponseDto>>>({ max: 100, ttl: EVENT_READ_TTL_MS });
  /** Writes finished through this process. */
  private writes = 0;

  event(id: number, load: () => Promise<EventResponseDto>): Promise<Readonly<EventResponseDto>> {
    return this.through(this.events, id, load);
  }

  page(key: string, load: () => Promise<Page<EventResponseDto>>): Promise<Readonly<Page<EventResponseDto>>> {
    return this.through(this.pages, key, load);
  }

  /** After a write to event `id` (or a new event) has committed. */
  changed(id?: number): void {
    this.writes++;
    if (id !== undefined) this.events.delete(id);
    this.pages.clear();
  }

  private async through<K extends number | string, V extends object>(
    cache: LRUCache<K, V>,
    key: K,
    load: () => Promise<V>,
  ) {
    const kept = cache.get(key);
    if (kept !== undefined) return kept;
    const writesBefore = this.writes;
    const value = Object.freeze(await load());
    if (this.writes === writesBefore) cache.set(key, value);
    return value;
  }
}
