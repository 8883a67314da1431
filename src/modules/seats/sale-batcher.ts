import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { Metrics } from '../../metrics/metrics.service';
import { BookingEntity } from '../bookings/entities/booking.entity';
import { HoldEntity } from '../holds/entities/hold.entity';
import { Sale, SeatLedger } from './seat-ledger';

/** The most sales (or confirmations) of one lane in one statement. */
export const MAX_BATCH = 64;

/** A sale's answer from its batch: what it made (or its refusal), or undefined when it must run alone. */
type Outcome<Made> = Made | undefined;

interface Lane {
  batch: (items: unknown[]) => Promise<Outcome<unknown>[]>;
  /** Each waiting sale (or hold to confirm), and how to answer it once its batch has run (undecided: by running it alone). */
  waiting: { item: unknown; answer: (outcome: Outcome<unknown>) => Promise<void> }[];
}

/**
 * Sells a crowd on one event at the rate of its batches rather than of its buyers. In each
 * process, the bookings (or the holds) of one event and ticket type form a lane, and so do the
 * confirmations of one event's holds: one that finds no other of its lane on its way runs alone,
 * at once, so a buyer without a crowd waits for no one; those that arrive meanwhile wait for it,
 * then go together, up to MAX_BATCH in order of arrival, in one statement (SeatLedger.sellBatch,
 * holdBatch, confirmBatch: one lock, one round trip, one commit), and so on while any wait. Each gets its own answer, as if it had run alone after those
 * before it; one its batch could not decide, or whose batch failed (a ticket code collision, a
 * stale type, a second hold of one user), runs alone, in its turn, so no sale's trouble is its
 * neighbours'.
 */
@Injectable()
export class SaleBatcher {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly seats: SeatLedger,
    private readonly metrics: Metrics,
  ) {}

  /** Books `alone` or in a batch; `decided` turns a batch's booking or refusal into the answer. */
  sell<T>(sale: Sale, alone: () => Promise<T>, decided: (outcome: BookingEntity | AppError) => T): Promise<T> {
    const lane = `booking/${sale.eventId}/${sale.ticketTypeId ?? 'default'}`;
    return this.run(lane, sale, alone, decided, (sales: Sale[]) => this.seats.sellBatch(this.db.manager, sales));
  }

  /** Holds `alone` or in a batch; `decided` turns a batch's hold or refusal into the answer. */
  hold<T>(sale: Sale, alone: () => Promise<T>, decided: (outcome: HoldEntity | AppError) => T): Promise<T> {
    const lane = `hold/${sale.eventId}/${sale.ticketTypeId ?? 'default'}`;
    const ttl = this.config.holds.ttlSeconds;
    return this.run(lane, sale, alone, decided, (sales: Sale[]) => this.seats.holdBatch(this.db.manager, sales, ttl));
  }

  /** Confirms an active hold `alone` or in a batch of its event's; `decided` turns a batch's booking into the answer. */
  confirm<T>(hold: HoldEntity, alone: () => Promise<T>, decided: (outcome: BookingEntity) => T): Promise<T> {
    const lane = `confirm/${hold.eventId}`;
    return this.run(lane, hold, alone, decided, (holds: HoldEntity[]) =>
      this.seats.confirmBatch(this.db.manager, holds),
    );
  }

  private async run<Item, Made, T>(
    key: string,
    item: Item,
    alone: () => Promise<T>,
    decided: (outcome: Made) => T,
    batch: (items: Item[]) => Promise<(Made | undefined)[]>,
  ): Promise<T> {
    const lane = this.lanes.get(key);
    if (!lane) {
      this.lanes.set(key, { batch: batch as Lane['batch'], waiting: [] });
      this.metrics.saleBatchSize.observe(1);
      try {
        return await alone();
      } finally {
        void this.drain(key);
      }
    }
    return new Promise<T>((resolve) =>
      lane.waiting.push({
        item,
        answer: async (outcome) => {
          const answered = outcome === undefined ? alone() : Promise.resolve(outcome as Made).then(decided);
          resolve(answered);
          await answered.catch(() => undefined);
        },
      }),
    );
  }

  /**
   * Makes the lane's waiting sales, batch after batch, until none waits; those a batch left
   * undecided run alone, one after the other in order of arrival, before the next batch.
   */
  private async drain(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    for (;;) {
      const next = lane.waiting.splice(0, MAX_BATCH);
      if (next.length === 0) {
        this.lanes.delete(key);
        return;
      }
      const items = next.map((waiting) => waiting.item);
      const outcomes = await lane.batch(items).then(
        (made) => {
          this.metrics.saleBatchSize.observe(items.length);
          return made;
        },
        () => items.map(() => undefined),
      );
      for (const [i, waiting] of next.entries()) await waiting.answer(outcomes[i]);
    }
  }
}
