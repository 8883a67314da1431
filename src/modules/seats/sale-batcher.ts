import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { isUniqueViolation } from '../../database/postgres-errors';
import { Metrics } from '../../metrics/metrics.service';
import { HoldEntity } from '../holds/entities/hold.entity';
import { Answer, IdempotencyKeys, KeyedRequest } from '../idempotency/idempotency-keys.service';
import { BookingEntity } from '../bookings/entities/booking.entity';
import { Confirmed, ConfirmedBefore, Decided, Held, Sale, SeatLedger, Undecided } from './seat-ledger';

/** The most requests of a lane in one statement. */
export const MAX_BATCH = 64;
/** How often a request is decided before an undecided one gets its `otherwise`. */
const MAX_ATTEMPTS = 3;

/** A request waiting for its lane's next statement. */
interface Waiting {
  item: unknown;
  /** Its Idempotency-Key, when sent. */
  keyed?: KeyedRequest;
  attempts: number;
  /** Its answer from what a statement made of it: a value, or a thrown refusal. */
  decided: (outcome: unknown) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What a lane's statement does, and what a failed one means. */
interface Statement<Item, Made> {
  /** What one statement makes of each item, in order. */
  decide: (em: EntityManager, items: Item[]) => Promise<Decided<Made>[]>;
  /** What the failure of a statement for `item` alone means, when it is not the failure itself. */
  rescue?: (error: unknown, item: Item) => Promise<Decided<Made> | undefined>;
}

interface Lane extends Statement<unknown, unknown> {
  waiting: Waiting[];
}

/**
 * Sells a crowd at the rate of its statements rather than of its buyers. In each process, the
 * bookings form a lane, whatever their events, and so do the holds, the orders and the
 * confirmations: a request that finds its lane idle goes at once, as a batch of one, so a buyer
 * without a crowd waits for no one; those that arrive meanwhile wait for it, then go together, up
 * to MAX_BATCH in order of arrival, in one statement (SeatLedger.sell, hold, confirm: each event's
 * row lock, one round trip, one commit), and so on while any wait. A crowd on one event and
 * buyers spread over many are alike to a lane: the statement locks the batch's events in id
 * order and decides each event's requests in their order of arrival. Each gets its own answer, as
 * if it had gone alone after those before it. With Idempotency-Keys, the statement's transaction
 * claims them first and remembers each success (IdempotencyKeys.onceEach): a retry gets its first
 * answer, a reused key its 409, and neither is sold. A request its statement left undecided is
 * decided again, alone (after freeing the seats of holds whose time is up, say), at most
 * MAX_ATTEMPTS times; one whose batch failed goes alone, in its turn, so no request's trouble is
 * its neighbours'.
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

  /** Books `sale`; `decided` turns its booking or refusal into the answer. */
  sell<T>(sale: Sale, decided: (outcome: BookingEntity | AppError) => T, keyed?: KeyedRequest): Promise<T> {
    return this.run('booking', sale, decided, keyed, {
      decide: (em, sales: Sale[]) => this.seats.sell(em, sales),
    });
  }

  /**
   * Holds seats for `sale`, one hold per line (as an order when it is one: orders have a lane of
   * their own); `decided` turns its holds or refusal into the answer.
   */
  hold<T>(sale: Sale, decided: (outcome: Held | AppError) => T, keyed?: KeyedRequest): Promise<T> {
    const ttl = this.config.holds.ttlSeconds;
    return this.run(sale.order ? 'order' : 'hold', sale, decided, keyed, {
      decide: (em, sales: Sale[]) => this.seats.hold(em, sales, ttl),
      rescue: (error, held: Sale) => this.seats.holdExists(error, held),
    });
  }

  /** Confirms `holds` (of one event) together; `decided` turns their bookings or refusal into the answer. */
  confirm<T>(holds: HoldEntity[], decided: (outcome: Confirmed | ConfirmedBefore | AppError) => T): Promise<T> {
    return this.run('confirm', holds, decided, undefined, {
      decide: (em, requests: HoldEntity[][]) => this.seats.confirm(em, requests),
    });
  }

  private run<Item, Made, T>(
    key: string,
    item: Item,
    decided: (outcome: Made | AppError) => T,
    keyed: KeyedRequest | undefined,
    statement: Statement<Item, Made>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const request: Waiting = {
        item,
        keyed,
        attempts: 0,
        decided: decided as Waiting['decided'],
        resolve: resolve as Waiting['resolve'],
        reject,
      };
      const lane = this.lanes.get(key);
      if (lane) {
        lane.waiting.push(request);
        return;
      }
      this.lanes.set(key, { ...(statement as Statement<unknown, unknown>), waiting: [request] });
      void this.drain(key);
    });
  }

  /** Decides the lane's waiting requests, batch after batch, until none waits. */
  private async drain(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    for (;;) {
      const next = lane.waiting.splice(0, MAX_BATCH);
      if (next.length === 0) {
        this.lanes.delete(key);
        return;
      }
      this.metrics.saleBatchSize.observe(next.length);
      await this.settle(lane, next);
    }
  }

  /**
   * Decides `requests` in one statement and answers each; those left undecided are then decided
   * again, alone, in turn. When the statement fails, each of several goes alone; a lone one is
   * answered with what its failure means.
   */
  private async settle(lane: Lane, requests: Waiting[]): Promise<void> {
    const undecided = new Map<Waiting, Undecided>();
    let answers: Answer[];
    try {
      answers = await this.idempotencyKeys.onceEach(requests, async (em, working) => {
        const outcomes = await lane.decide(
          em,
          working.map((w) => w.item),
        );
        return outcomes.map((outcome, i) => {
          if (!(outcome instanceof Undecided)) return answer(working[i], outcome);
          undecided.set(working[i], outcome);
          return undefined;
        });
      });
    } catch (error) {
      undecided.clear();
      if (requests.length > 1) {
        for (const request of requests) await this.settle(lane, [request]);
        return;
      }
      const [request] = requests;
      const outcome = isUniqueViolation(error, 'tickets')
        ? new Undecided(error as Error)
        : await lane.rescue?.(error, request.item).catch((failure: unknown) => failure as Error);
      if (outcome instanceof Undecided) undecided.set(request, outcome);
      answers = [
        outcome === undefined || outcome instanceof Undecided ? { error: error as Error } : answer(request, outcome),
      ];
    }
    const retries: [Waiting, Undecided][] = [];
    for (const [i, request] of requests.entries()) {
      const again = undecided.get(request) ?? (answers[i] === undefined ? new Undecided(noAnswer) : undefined);
      if (!again) settled(request, answers[i]);
      else if (++request.attempts >= MAX_ATTEMPTS) settled(request, answer(request, again.otherwise));
      else retries.push([request, again]);
    }
    for (const [request, again] of retries) await this.again(lane, request, again);
  }

  /** Decides an undecided request again, alone, after what must come first. */
  private async again(lane: Lane, request: Waiting, undecided: Undecided): Promise<void> {
    try {
      await undecided.first?.();
    } catch (error) {
      request.reject(error);
      return;
    }
    await this.settle(lane, [request]);
  }
}

const noAnswer = new Error('A request was left unanswered');

/** A request's answer from what its statement made of it (a refusal is thrown by `decided`). */
function answer(request: Waiting, outcome: unknown): Answer {
  if (outcome instanceof Error && !(outcome instanceof AppError)) return { error: outcome };
  try {
    return { value: request.decided(outcome) };
  } catch (error) {
    return { error: error as Error };
  }
}

function settled(request: Waiting, answer: Answer): void {
  if (answer && 'value' in answer) request.resolve(answer.value);
  else request.reject(answer?.error ?? noAnswer);
}
