import { DataSource } from 'typeorm';
import { checkedFetch } from './contract';
import { Caller } from './factories';
import { ServerProcess } from './server-process';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads `read()` until `enough` holds of what it returned, then returns that. The deadline only
 * ends a test that hangs, generously: it is no measure of speed.
 */
export async function eventually<T>(
  what: string,
  read: () => T | Promise<T>,
  enough: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (enough(value)) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(25);
  }
}

/** One answer of a storm: the step that asked, what for (`of`, e.g. a ticket type), the status and body. */
export interface Outcome<Step extends string> {
  step: Step;
  of?: number;
  status: number;
  body: { id?: number; code?: string; status?: string; hold_id?: number | null; booking_id?: number | null };
}

/** A storm samples the seats once every this many answers. */
export const SAMPLE_EVERY = 5;

/**
 * Requests of a storm on several API processes, sent to each in turn, every answer kept with the
 * step that sent it, and checked against openapi.json. With `sample`, the storm reads the seats
 * once every SAMPLE_EVERY answers, in the sender's turn: how often it looks follows the work done,
 * not the clock.
 */
export class Storm<Step extends string, Sample = never> {
  readonly outcomes: Outcome<Step>[] = [];
  readonly samples: Sample[] = [];
  private sent = 0;

  constructor(
    private readonly servers: ServerProcess[],
    private readonly sample?: () => Promise<Sample[]>,
  ) {}

  async send(step: Step, caller: Caller, method: string, path: string, body?: object, of?: number) {
    const res = await checkedFetch(`${this.servers[this.sent++ % this.servers.length].url}/api/v1${path}`, {
      method,
      headers: { ...caller.auth, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const outcome: Outcome<Step> = { step, of, status: res.status, body: (await res.json()) as Outcome<Step>['body'] };
    this.outcomes.push(outcome);
    if (this.sample && this.outcomes.length % SAMPLE_EVERY === 0) this.samples.push(...(await this.sample()));
    return outcome;
  }

  /** The answers to `step`, for `of` when given. */
  answers(step: Step, of?: number): Outcome<Step>[] {
    return this.outcomes.filter((o) => o.step === step && (of === undefined || o.of === of));
  }

  /** The distinct answers to `step`, as `status` or `status CODE`. */
  statuses(step: Step): Set<string> {
    return new Set(this.answers(step).map((o) => `${o.status} ${o.body.code ?? ''}`.trim()));
  }

  /** Answers outside the 2xx and 409 a storm may give. */
  unexpected(): Outcome<Step>[] {
    return this.outcomes.filter((o) => ![200, 201, 409].includes(o.status));
  }
}

/** An event's seats, as a storm samples them. */
export interface Seats {
  sold: number;
  held: number;
  capacity: number;
}

/** Reads the event's seats, for a storm to sample. */
export function seatsOf(db: DataSource, eventId: number): () => Promise<Seats[]> {
  return () =>
    db.query('SELECT total_tickets_sold AS sold, total_tickets_held AS held, capacity FROM events WHERE id = $1', [
      eventId,
    ]);
}

/** The event's or one of its ticket types' seats, as a storm samples them; `cap` is the capacity or the quota. */
export interface TypedSeats {
  id: number;
  sold: number;
  held: number;
  cap: number;
}

/** Reads the seats of the event and of each of its ticket types (no quota: a cap of a million), for a storm to sample. */
export function typedSeatsOf(db: DataSource, eventId: number): () => Promise<TypedSeats[]> {
  return () =>
    db.query(
      `SELECT id, total_tickets_sold AS sold, total_tickets_held AS held, capacity AS cap FROM events WHERE id = $1
       UNION ALL
       SELECT id, total_tickets_sold, total_tickets_held, coalesce(quota, 1000000) FROM ticket_types WHERE event_id = $1`,
      [eventId],
    );
}

/**
 * Waits until the event has no active hold: every hold a storm left behind has run out and a
 * sweeper has freed it (the contract's 5 seconds after expiry on an idle machine; no limit here).
 */
export function holdsEnded(db: DataSource, eventId: number): Promise<unknown> {
  const active = () =>
    db
      .query(`SELECT count(*)::int AS n FROM holds WHERE event_id = $1 AND status = 'active'`, [eventId])
      .then(([{ n }]: { n: number }[]) => n);
  return eventually('every hold of the event to end', active, (n) => n === 0, 120_000);
}

/** Moves a hold's time past, as if its TTL had gone by: the servers' sweepers expire it. */
export function holdTimeIsUp(db: DataSource, holdId: number): Promise<unknown> {
  return db.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [holdId]);
}

/** Moves the time of orders (an id or several) and of their lines past, as if their TTL had gone by. */
export function orderTimeIsUp(db: DataSource, orderIds: number | number[]): Promise<unknown> {
  return db.query(
    `WITH o AS (UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = ANY ($1))
     UPDATE holds SET expires_at = now() - interval '1 second' WHERE order_id = ANY ($1)`,
    [[orderIds].flat()],
  );
}
