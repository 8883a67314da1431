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

/** The most sales of one lane in one statement. */
export const MAX_BATCH = 64;

/** A sale's answer from its batch: what it made, its refusal, or undefined when it must run alone. */
type Outcome<Made> = Made | AppError | undefined;

interface Lane {
  batch: (sales: Sale[]) => Promise<Outcome<unknown>[]>;
  /** Each waiting sale, and how to answer it once its batch has run (undecided: by running it alone). */
  waiting: { sale: Sale; answer: (outcome: Outcome<unknown>) => Promise<void> }[];
}

/**
 * Sells a crowd on one event at the rate of its batches rather than of its buyers. In each
 * process, the bookings (or the holds) of one event and ticket type form a lane: one that finds
 * no other of its lane on its way runs alone, at once, so a buyer without a crowd waits for no
 * one; those that arrive meanwhile wait for it, then go together, up to MAX_BATCH in order of
 * arrival, in one statement (SeatLedger.sellBatch, holdBatch: one lock, one round trip, one
 * commit), and so on while any wait. Each gets its own answer, as if it had run alone after those
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
    return this.run('booking', sale, alone, decided, (sales) => this.seats.sellBatch(this.db.manager, sales));
  }

  /** Holds `alone` or in a batch; `decided` turns a batch's hold or refusal into the answer. */
  hold<T>(sale: Sale, alone: () => Promise<T>, decided: (outcome: HoldEntity | AppError) => T): Promise<T> {
    const ttl = this.config.holds.ttlSeconds;
    return this.run('hold', sale, alone, decided, (sales) => this.seats.holdBatch(this.db.manager, sales, ttl));
  }

  private async run<T, Made>(
    kind: string,
    sale: Sale,
    alone: () => Promise<T>,
    decided: (outcome: Made | AppError) => T,
    batch: (sales: Sale[]) => Promise<Outcome<Made>[]>,
  ): Promise<T> {
    const key = `${kind}/${sale.eventId}/${sale.ticketTypeId ?? 'default'}`;
    const lane = this.lanes.get(key);
    if (!lane) {
      this.lanes.set(key, { batch, waiting: [] });
      this.metrics.saleBatchSize.observe(1);
      try {
        return await alone();
      } finally {
        void this.drain(key);
      }
    }
    return new Promise<T>((resolve) =>
      lane.waiting.push({
        sale,
        answer: async (outcome) => {
          const answered = outcome === undefined ? alone() : Promise.resolve(outcome as Made | AppError).then(decided);
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
      const sales = next.map((waiting) => waiting.sale);
      const outcomes = await lane.batch(sales).then(
        (made) => {
          this.metrics.saleBatchSize.observe(sales.length);
          return made;
        },
        () => sales.map(() => undefined),
      );
      for (const [i, waiting] of next.entries()) await waiting.answer(outcomes[i]);
    }
  }
}
