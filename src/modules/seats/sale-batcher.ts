import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { Metrics } from '../../metrics/metrics.service';
import { BookingEntity } from '../bookings/entities/booking.entity';
import { HoldEntity } from '../holds/entities/hold.entity';
import { Answer, IdempotencyKeys, KeyedRequest } from '../idempotency/idempotency-keys.service';
import { Sale, SeatLedger } from './seat-ledger';

/** The most sales (or confirmations) of one lane in one statement. */
export const MAX_BATCH = 64;

/** A sale (or hold to confirm) waiting for its lane's next batch. */
interface Waiting {
  item: unknown;
  /** Its Idempotency-Key, when sent. */
  keyed?: KeyedRequest;
  /** Its answer from what its batch made of it (or its refusal). */
  decided: (outcome: unknown) => unknown;
  /** Answers it as its batch did, or, when its batch did not, by running it alone. */
  answer: (answer: Answer) => Promise<void>;
}

interface Lane {
  /** What one statement makes of each item, in order; undefined for one it could not decide. */
  batch: (em: EntityManager, items: unknown[]) => Promise<unknown[]>;
  waiting: Waiting[];
}

/**
 * Sells a crowd on one event at the rate of its batches rather than of its buyers. In each
 * process, the bookings (or the holds) of one event and ticket type form a lane, and so do the
 * confirmations of one event's holds: one that finds no other of its lane on its way runs alone,
 * at once, so a buyer without a crowd waits for no one; those that arrive meanwhile wait for it,
 * then go together, up to MAX_BATCH in order of arrival, in one statement (SeatLedger.sellBatch,
 * holdBatch, confirmBatch: one lock, one round trip, one commit), and so on while any wait. Each
 * gets its own answer, as if it had run alone after those before it. With Idempotency-Keys, the
 * batch's transaction claims them first and remembers each success (IdempotencyKeys.onceEach): a
 * retry gets its first answer, a reused key its 409, and neither is sold. One its batch could
 * not decide, or whose batch failed (a ticket code collision, a stale type, a second hold of one
 * user), runs alone, in its turn, so no sale's trouble is its neighbours'.
 */
@Injectable()
export class SaleBatcher {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly seats: SeatLedger,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly metrics: Metrics,
  ) {}

  /** Books `alone` or in a batch; `decided` turns a batch's booking or refusal into the answer. */
  sell<T>(
    sale: Sale,
    alone: () => Promise<T>,
    decided: (outcome: BookingEntity | AppError) => T,
    keyed?: KeyedRequest,
  ): Promise<T> {
    const lane = `booking/${sale.eventId}/${sale.ticketTypeId ?? 'default'}`;
    return this.run(lane, { item: sale, keyed }, alone, decided, (em, sales: Sale[]) =>
      this.seats.sellBatch(em, sales),
    );
  }

  /** Holds `alone` or in a batch; `decided` turns a batch's hold or refusal into the answer. */
  hold<T>(
    sale: Sale,
    alone: () => Promise<T>,
    decided: (outcome: HoldEntity | AppError) => T,
    keyed?: KeyedRequest,
  ): Promise<T> {
    const lane = `hold/${sale.eventId}/${sale.ticketTypeId ?? 'default'}`;
    const ttl = this.config.holds.ttlSeconds;
    return this.run(lane, { item: sale, keyed }, alone, decided, (em, sales: Sale[]) =>
      this.seats.holdBatch(em, sales, ttl),
    );
  }

  /** Confirms an active hold `alone` or in a batch of its event's; `decided` turns a batch's booking into the answer. */
  confirm<T>(hold: HoldEntity, alone: () => Promise<T>, decided: (outcome: BookingEntity) => T): Promise<T> {
    const lane = `confirm/${hold.eventId}`;
    return this.run(lane, { item: hold }, alone, decided, (em, holds: HoldEntity[]) =>
      this.seats.confirmBatch(em, holds),
    );
  }

  private async run<Item, Made, T>(
    key: string,
    request: { item: Item; keyed?: KeyedRequest },
    alone: () => Promise<T>,
    decided: (outcome: Made) => T,
    batch: (em: EntityManager, items: Item[]) => Promise<(Made | undefined)[]>,
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
        ...request,
        decided: decided as Waiting['decided'],
        answer: async (answer) => {
          const answered = settled(answer, alone);
          resolve(answered);
          await answered.catch(() => undefined);
        },
      }),
    );
  }

  /**
   * Makes the lane's waiting sales, batch after batch, until none waits; those a batch left
   * unanswered run alone, one after the other in order of arrival, before the next batch.
   */
  private async drain(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    for (;;) {
      const next = lane.waiting.splice(0, MAX_BATCH);
      if (next.length === 0) {
        this.lanes.delete(key);
        return;
      }
      const answers = await this.idempotencyKeys
        .onceEach(next, (em, selling) => this.decide(em, lane, selling))
        .then(
          (answered) => {
            this.metrics.saleBatchSize.observe(next.length);
            return answered;
          },
          () => next.map(() => undefined),
        );
      for (const [i, waiting] of next.entries()) await waiting.answer(answers[i]);
    }
  }

  /** Runs the lane's statement for `waiting`, and turns what it made of each into its answer. */
  private async decide(em: EntityManager, lane: Lane, waiting: Waiting[]): Promise<Answer[]> {
    const outcomes = await lane.batch(
      em,
      waiting.map((w) => w.item),
    );
    return outcomes.map((outcome, i) => {
      if (outcome === undefined) return undefined;
      try {
        return { value: waiting[i].decided(outcome) };
      } catch (error) {
        return { error: error as Error };
      }
    });
  }
}

/** A request's answer as its batch gave it, or, when it gave none, by running it alone. */
function settled<T>(answer: Answer, alone: () => Promise<T>): Promise<T> {
  if (!answer) return alone();
  return 'value' in answer ? Promise.resolve(answer.value as T) : Promise.reject(answer.error);
}
