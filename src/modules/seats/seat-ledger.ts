import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { isCheckViolation, isForeignKeyViolation, isUniqueViolation } from '../../database/postgres-errors';
import { Metrics } from '../../metrics/metrics.service';
import { BookingEntity, BookingStatus } from '../bookings/entities/booking.entity';
import { EventEntity, EventStatus } from '../events/entities/event.entity';
import { TicketTypeEntity } from '../events/entities/ticket-type.entity';
import { HoldEntity, HoldStatus, isDue } from '../holds/entities/hold.entity';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { TicketCodeGenerator } from '../tickets/ticket-code';
import {
  BATCH_CONFIRM_STATEMENT,
  BATCH_HOLD_STATEMENT,
  BatchConfirmRow,
  BATCH_SALE_STATEMENT,
  BatchHoldRow,
  BatchSaleRow,
  BOOKINGS_CANCELLED_STATEMENT,
  CONFIRM_STATEMENT,
  DUE_EVENTS_QUERY,
  END_DUE_HOLDS_STATEMENT,
  END_EVENT_HOLDS_STATEMENT,
  END_HOLD_STATEMENT,
  EndedHoldsRow,
  HOLD_STATEMENT,
  HoldRow,
  OFFERED_STATEMENT,
  SALE_REFUSAL_QUERY,
  SALE_STATEMENT,
  SaleRefusalRow,
  SaleRow,
  Decision,
  WAITING_QUERY,
  WaitingRow,
} from './sale.statement';

/** Seats of one ticket type (when none is named, the event's default) for one buyer of one event. */
export interface Sale {
  eventId: number;
  ticketTypeId?: number;
  userId: number;
  quantity: number;
}

/** Sales tried again after a ticket code collision, or after a refusal that freed seats made stale. */
const MAX_ATTEMPTS = 3;

/**
 * Every change of an event's seats, and every rule about them, in one place. A seat is sold (in
 * a confirmed booking), held (kept for a buyer by an active checkout hold) or available:
 * `available = capacity - sold - held`. The event row counts them (`total_tickets_sold`,
 * `total_tickets_held`, with `total_revenue` and `total_bookings` for the sales), and so does the
 * row of the ticket type they are sold or held as (sold, held, revenue); the counters always
 * equal the aggregates over the confirmed bookings and active holds, and the database refuses
 * more sold and held together than the event's capacity (chk_events_sold, chk_events_sold_held)
 * or the type's quota (chk_ticket_types_sold_held). A type has seats left when both have.
 *
 * Each method runs in the caller's transaction (`em`), under the event's row lock: `sell`,
 * `hold` and `confirm`, and their batches (`sellBatch`, `holdBatch`, `confirmBatch`, see
 * SaleBatcher), take it within their one statement; the others expect the caller to have
 * taken it with `lock`, before any ticket type, hold, booking or ticket row. Lock order, everywhere: event,
 * ticket type, hold, booking, ticket. Only the ledger changes the counters, a hold's status, a
 * booking's confirmed/cancelled status and its tickets' cancellation.
 */
@Injectable()
export class SeatLedger {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly codes: TicketCodeGenerator,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Sells in one statement (see SALE_STATEMENT); undefined when the event refused, then see
   * `refusal`. Throws TryAgain when the type's counts it read were stale (see `counting`).
   */
  async sell(em: EntityManager, sale: Sale, last: boolean): Promise<BookingEntity | undefined> {
    const [row] = await this.counting(em, sale.eventId, last, (on) =>
      this.sold(on, SALE_STATEMENT, sale, [sale.ticketTypeId ?? null]),
    );
    if (!row) return undefined;
    this.metrics.webhookMessages.inc(row.messages);
    return soldBooking(sale, row);
  }

  /**
   * Sells `sales` (of one event and one ticket type, in order of arrival) in one statement (see
   * BATCH_SALE_STATEMENT): for each, in order, its booking, its refusal (409 INSUFFICIENT_TICKETS
   * with the seats it found left), or undefined when it must be tried alone (see `refusal`): the
   * event was not bookable or had no such type, or holds whose time is up may free seats for it.
   */
  async sellBatch(em: EntityManager, sales: Sale[]): Promise<(BookingEntity | AppError | undefined)[]> {
    const rows: BatchSaleRow[] = await em.query(BATCH_SALE_STATEMENT, [
      ...batchOf(sales),
      this.suffixes(...sales.map((sale) => sale.quantity)),
    ]);
    this.metrics.webhookMessages.inc(rows[0].messages);
    return rows.map((row, i) => (row.made ? soldBooking(sales[i], row as SaleRow) : refused(sales[i], row)));
  }

  /**
   * Holds seats for `sales` (as `sellBatch`) in one statement (see BATCH_HOLD_STATEMENT): for each,
   * in order, its hold, its refusal, or undefined when it must be tried alone.
   */
  async holdBatch(
    em: EntityManager,
    sales: Sale[],
    ttlSeconds: number,
  ): Promise<(HoldEntity | AppError | undefined)[]> {
    const rows: BatchHoldRow[] = await em.query(BATCH_HOLD_STATEMENT, [...batchOf(sales), ttlSeconds]);
    this.metrics.webhookMessages.inc(rows[0].messages);
    return rows.map((row, i) => {
      if (!row.made) return refused(sales[i], row);
      this.metrics.holdsCreated.inc();
      return heldSeats(sales[i], row as HoldRow);
    });
  }

  /**
   * Holds seats in one statement (see HOLD_STATEMENT): the new hold, or undefined when the event
   * refused. Throws TryAgain when the type's counts it read were stale (see `counting`).
   */
  async hold(em: EntityManager, sale: Sale, ttlSeconds: number, last: boolean): Promise<HoldEntity | undefined> {
    const { eventId, ticketTypeId, userId, quantity } = sale;
    const [row]: HoldRow[] = await this.counting(em, eventId, last, (on) =>
      on.query(HOLD_STATEMENT, [eventId, userId, quantity, ttlSeconds, ticketTypeId ?? null, false]),
    );
    if (!row) return undefined;
    this.metrics.holdsCreated.inc();
    this.metrics.webhookMessages.inc(row.messages);
    return heldSeats(sale, row);
  }

  /**
   * Why the event refused the sale, as it is now: no such event, no such ticket type of it, not
   * bookable, or too few seats. When the seats are there now, freed by a cancellation, or would
   * be once the event's holds whose time is up are reclaimed, throws TryAgain so the sale is tried
   * again (after reclaiming them, in a transaction of its own: `em`'s may be rolled back, as an
   * Idempotency-Key's is), unless this was the `last` attempt.
   */
  async refusal(em: EntityManager, { eventId, ticketTypeId, quantity }: Sale, last: boolean): Promise<AppError> {
    const event = await this.bookable(em, eventId, ticketTypeId);
    if (event instanceof AppError) return event;
    const quotaLeft = event.type_available ?? Infinity;
    const available = Math.min(event.available, quotaLeft);
    const reclaimable = Math.min(event.available + event.due, quotaLeft + event.type_due);
    if (!last && reclaimable >= quantity) {
      const reclaim = () => em.dataSource.transaction((locked) => this.expireDue(locked, eventId));
      throw new TryAgain(event.due > 0 ? reclaim : undefined);
    }
    return insufficient(quantity, available);
  }

  /**
   * The seats the event has left now of the ticket type (when none is named, the default), and
   * that type's id; 404, 400 or 409 EVENT_NOT_BOOKABLE when no sale of it could be made at all.
   */
  async seatsLeft(
    em: EntityManager,
    eventId: number,
    ticketTypeId?: number,
  ): Promise<{ ticketTypeId: number; available: number }> {
    const event = await this.bookable(em, eventId, ticketTypeId);
    if (event instanceof AppError) throw event;
    return {
      ticketTypeId: event.ticket_type_id!,
      available: Math.min(event.available, event.type_available ?? Infinity),
    };
  }

  /**
   * Confirms an active or expired hold in one statement (see CONFIRM_STATEMENT): a sale of the
   * seats it still holds, or, once they were freed, of the same seats taken again at the hold's
   * amount. Undefined when a concurrent request confirmed it first; 409 HOLD_EXPIRED when its
   * seats are gone, HOLD_NOT_ACTIVE when it was released, EVENT_NOT_BOOKABLE when the event is not.
   */
  async confirm(em: EntityManager, hold: HoldEntity, last: boolean): Promise<BookingEntity | undefined> {
    const { id, eventId, userId, quantity, totalAmount } = hold;
    const [row] = await this.counting(em, eventId, last, (on) =>
      this.sold(on, CONFIRM_STATEMENT, hold, [id, totalAmount]),
    );
    if (row) {
      this.metrics.holdsConfirmed.inc();
      this.metrics.webhookMessages.inc(row.messages);
      if (hold.offer) this.metrics.waitlistOffersTaken.inc();
      return soldBooking({ eventId, userId, quantity }, row);
    }
    const [now]: { status: HoldStatus }[] = await em.query('SELECT status FROM holds WHERE id = $1', [id]);
    if (now.status === HoldStatus.Confirmed) return undefined;
    if (now.status === HoldStatus.Released) throw holdNotActive(id, now.status);
    const [event]: SaleRefusalRow[] = await em.query(SALE_REFUSAL_QUERY, [eventId, hold.ticketTypeId]);
    if (!event.open) throw notBookable(eventId, event.status);
    throw new AppError('HOLD_EXPIRED', `Hold ${id} has expired and its ${quantity} tickets are gone`);
  }

  /**
   * Confirms `holds` (active holds of one event, in order of arrival) in one statement (see
   * BATCH_CONFIRM_STATEMENT): for each, in order, its booking, or undefined when it must be
   * confirmed alone (see `confirm`): it was no longer active, or the event no longer bookable.
   */
  async confirmBatch(em: EntityManager, holds: HoldEntity[]): Promise<(BookingEntity | undefined)[]> {
    const rows: BatchConfirmRow[] = await em.query(BATCH_CONFIRM_STATEMENT, [
      holds[0].eventId,
      holds.map((hold) => hold.id),
      holds.map((hold) => hold.quantity),
      this.suffixes(...holds.map((hold) => hold.quantity)),
    ]);
    this.metrics.webhookMessages.inc(rows[0].messages);
    return rows.map((row, i) => {
      if (!row.made) return undefined;
      this.metrics.holdsConfirmed.inc();
      if (holds[i].offer) this.metrics.waitlistOffersTaken.inc();
      return soldBooking(holds[i], row as SaleRow);
    });
  }

  /**
   * Releases an active hold (locked by the caller after its event): its seats go to the waiting
   * list, or are available again. A hold whose time is up is expired instead, with the event's
   * other holds that are due.
   */
  async release(em: EntityManager, hold: HoldEntity): Promise<void> {
    if (isDue(hold)) {
      await this.expireDue(em, hold.eventId);
      return;
    }
    await this.endHolds(em, END_HOLD_STATEMENT, hold.id, HoldStatus.Released);
    await this.offerFreedSeats(em, hold.eventId);
  }

  /** Events with holds whose time is up, for the sweeper: at most 100, the longest due first. */
  async dueEvents(em: EntityManager): Promise<number[]> {
    const rows: { id: number }[] = await em.query(DUE_EVENTS_QUERY);
    return rows.map((row) => row.id);
  }

  /**
   * Locks the event and expires its holds whose time is up: their seats go to the waiting list,
   * or are available again. Returns how many holds expired.
   */
  async expireDue(em: EntityManager, eventId: number): Promise<number> {
    await this.lock(em, eventId);
    const expired = await this.endHolds(em, END_DUE_HOLDS_STATEMENT, eventId, HoldStatus.Expired);
    if (expired > 0) await this.offerFreedSeats(em, eventId);
    return expired;
  }

  /**
   * Offers the event's available seats to its waiting entries, in order of arrival: each entry
   * whose quantity the event and its ticket type still have gets an offer, a hold of
   * WAITLIST_OFFER_TTL_SECONDS for its user (WAITING_QUERY, HOLD_STATEMENT), and the next entries
   * get what is left. Every path that frees seats calls this under the event's row lock, in the
   * transaction that frees them, so no one else can take freed seats while an entry they fit waits.
   */
  async offerFreedSeats(em: EntityManager, eventId: number): Promise<void> {
    const waiting: WaitingRow[] = await em.query(WAITING_QUERY, [eventId]);
    let available = waiting[0]?.available ?? 0;
    const typesLeft = new Map<number, number>();
    const ttl = this.config.waitlist.offerTtlSeconds;
    for (const entry of waiting) {
      const typeLeft = typesLeft.get(entry.ticket_type_id) ?? entry.type_available ?? Infinity;
      if (entry.quantity > available || entry.quantity > typeLeft) continue;
      const [hold]: HoldRow[] = await em.query(HOLD_STATEMENT, [
        eventId,
        entry.user_id,
        entry.quantity,
        ttl,
        entry.ticket_type_id,
        true,
      ]);
      if (!hold) return;
      const [offered]: { messages: number }[] = await em.query(OFFERED_STATEMENT, [entry.id, hold.id]);
      this.metrics.waitlistOffers.inc();
      this.metrics.webhookMessages.inc(hold.messages + offered.messages);
      available -= entry.quantity;
      typesLeft.set(entry.ticket_type_id, typeLeft - entry.quantity);
    }
  }

  /** Locks the event row for the rest of the transaction. */
  async lock(em: EntityManager, eventId: number): Promise<EventEntity> {
    const event = await em.findOne(EventEntity, { where: { id: eventId }, lock: { mode: 'pessimistic_write' } });
    if (!event) throw AppError.notFound('Event', eventId);
    return event;
  }

  /** A capacity (of an event) or quota (of a ticket type) may not be set below the seats sold and held. */
  assertCapacity(
    { totalTicketsSold: sold, totalTicketsHeld: held }: EventEntity | TicketTypeEntity,
    capacity: number | null,
    what = 'Capacity',
  ): void {
    if (capacity !== null && capacity < sold + held) {
      const taken = held === 0 ? `${sold} tickets already sold` : `${sold} tickets sold and ${held} held`;
      throw new AppError('CAPACITY_BELOW_SOLD', `${what} ${capacity} is below the ${taken}`);
    }
  }

  /**
   * Cancels a confirmed booking (locked by the caller after its event) and its active tickets;
   * its seats and amount go back, and its `booking.cancelled` webhook message is recorded.
   */
  async cancelBooking(em: EntityManager, booking: BookingEntity): Promise<void> {
    await em.update(BookingEntity, { id: booking.id }, { status: BookingStatus.Cancelled });
    await em.update(
      TicketEntity,
      { bookingId: booking.id, status: TicketStatus.Active },
      { status: TicketStatus.Cancelled },
    );
    await em.query(
      `UPDATE events
          SET total_tickets_sold = total_tickets_sold - $2, total_revenue = total_revenue - $3,
              total_bookings = total_bookings - 1, updated_at = now()
        WHERE id = $1`,
      [booking.eventId, booking.quantity, booking.totalAmount],
    );
    await em.query(
      `UPDATE ticket_types
          SET total_tickets_sold = total_tickets_sold - $2, total_revenue = total_revenue - $3, updated_at = now()
        WHERE id = $1`,
      [booking.ticketTypeId, booking.quantity, booking.totalAmount],
    );
    await this.reportCancelled(em, [booking.id]);
    await this.offerFreedSeats(em, booking.eventId);
  }

  /**
   * Releases every active hold of a locked event, ends its waiting and offered entries, and
   * cancels its confirmed bookings and their active tickets: nothing stays sold, held or waiting.
   * Each hold and booking gets its webhook message, as when released or cancelled alone.
   */
  async cancelEvent(em: EntityManager, event: EventEntity): Promise<void> {
    await this.endHolds(em, END_EVENT_HOLDS_STATEMENT, event.id, HoldStatus.Released);
    await em.query(
      `UPDATE waitlist_entries SET status = 'expired', updated_at = now() WHERE event_id = $1 AND status = 'waiting'`,
      [event.id],
    );
    const cancelled: { id: number }[] = await em
      .createQueryBuilder()
      .update(BookingEntity)
      .set({ status: BookingStatus.Cancelled })
      .where({ eventId: event.id, status: BookingStatus.Confirmed })
      .returning(['id'])
      .execute()
      .then((result) => result.raw as { id: number }[]);
    if (cancelled.length > 0) {
      await em
        .createQueryBuilder()
        .update(TicketEntity)
        .set({ status: TicketStatus.Cancelled })
        .where('booking_id IN (:...ids) AND status = :active', {
          ids: cancelled.map((b) => b.id),
          active: TicketStatus.Active,
        })
        .execute();
      await this.reportCancelled(
        em,
        cancelled.map((b) => b.id),
      );
    }
    const nothingSold = { totalTicketsSold: 0, totalTicketsHeld: 0, totalRevenue: '0.00' };
    await em.update(TicketTypeEntity, { eventId: event.id }, nothingSold);
    await em.update(EventEntity, { id: event.id }, { ...nothingSold, totalBookings: 0 });
    Object.assign(event, nothingSold, { totalBookings: 0 });
  }

  /**
   * Runs a statement that counts seats on a ticket type, which reads the type's counts as of the
   * statement's start, before it waits for the event's row lock (see SALE_STATEMENT): when a
   * concurrent change of the type committed meanwhile and the stale count let too many seats
   * through, the database refuses the row (chk_ticket_types_sold_held) and this throws
   * TryAgain; nothing changed. The `last` attempt first locks the event, in a transaction of
   * its own (a savepoint within the caller's), so that the statement starts under the lock and
   * reads the counts as they are.
   */
  private async counting<T>(
    em: EntityManager,
    eventId: number,
    last: boolean,
    statement: (on: EntityManager) => Promise<T>,
  ): Promise<T> {
    try {
      if (!last) return await statement(em);
      return await em.transaction(async (locked) => {
        await this.lock(locked, eventId);
        return statement(locked);
      });
    } catch (error) {
      const stale =
        isCheckViolation(error, 'chk_ticket_types_sold_held') ||
        isForeignKeyViolation(error, 'fk_bookings_ticket_type') ||
        isForeignKeyViolation(error, 'fk_holds_ticket_type');
      throw stale ? new TryAgain() : error;
    }
  }

  /** Records the `booking.cancelled` webhook messages of the bookings just cancelled. */
  private async reportCancelled(em: EntityManager, bookingIds: number[]): Promise<void> {
    const [{ messages }]: { messages: number }[] = await em.query(BOOKINGS_CANCELLED_STATEMENT, [bookingIds]);
    this.metrics.webhookMessages.inc(messages);
  }

  /** Runs a SALE_STATEMENT or CONFIRM_STATEMENT (`rest`: their parameters after $4), with fresh ticket code suffixes. */
  private sold(em: EntityManager, statement: string, sale: Sale, rest: unknown[] = []): Promise<SaleRow[]> {
    const { eventId, userId, quantity } = sale;
    return em.query(statement, [eventId, userId, quantity, this.suffixes(quantity), ...rest]);
  }

  /** Fresh ticket code suffixes: one per ticket of each of `quantities`, in order. */
  private suffixes(...quantities: number[]): string[] {
    return quantities.flatMap((quantity) => Array.from({ length: quantity }, () => this.codes.suffix()));
  }

  /**
   * The event and the ticket type asked for (none: the default) as they are now (SALE_REFUSAL_QUERY),
   * or why nothing of them can be sold: no such event, no such type of it, not bookable.
   */
  private async bookable(
    em: EntityManager,
    eventId: number,
    ticketTypeId?: number,
  ): Promise<SaleRefusalRow | AppError> {
    const [event]: SaleRefusalRow[] = await em.query(SALE_REFUSAL_QUERY, [eventId, ticketTypeId ?? null]);
    if (!event) return AppError.notFound('Event', eventId);
    if (event.ticket_type_id === null) {
      if (ticketTypeId === undefined) throw new Error(`Event ${eventId} has no default ticket type`);
      const message = `ticket_type_id ${ticketTypeId} is not a ticket type of event ${eventId}`;
      return AppError.validation([{ field: 'ticket_type_id', message }]);
    }
    if (!event.open) return notBookable(eventId, event.status);
    return event;
  }

  /**
   * Runs one of the END_*HOLDS statements and counts the holds it ended as released or expired
   * (`status`), and the offers among them as expired offers; returns how many holds it ended.
   */
  private async endHolds(em: EntityManager, statement: string, id: number, status: HoldStatus): Promise<number> {
    // An UPDATE's result comes as [rows, row count].
    const [[ended]]: [EndedHoldsRow[], number] = await em.query(statement, [id, status]);
    const { holds, offers, messages } = ended ?? { holds: 0, offers: 0, messages: 0 };
    this.metrics.webhookMessages.inc(messages);
    (status === HoldStatus.Expired ? this.metrics.holdsExpired : this.metrics.holdsReleased).inc(holds);
    this.metrics.waitlistOffersExpired.inc(offers);
    return holds;
  }
}

/**
 * What refused a sale has changed since (seats were freed, a hold ended), or the sale read its
 * ticket type's counts before a concurrent sale of the type committed: try the sale again.
 */
export class TryAgain extends Error {
  /** `first`: what to do before the next attempt, once this one's transaction has ended. */
  constructor(readonly first?: () => Promise<unknown>) {
    super('try the sale again');
  }
}

/** Runs a sale's `attempt` again after a ticket code collision or a refusal that freed seats made stale. */
export async function retryingSale<T>(attempt: (last: boolean) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n === MAX_ATTEMPTS);
    } catch (error) {
      const again = isUniqueViolation(error, 'tickets') || error instanceof TryAgain;
      if (!again || n === MAX_ATTEMPTS) throw error;
      if (error instanceof TryAgain) await error.first?.();
    }
  }
}

export function holdNotActive(id: number, status: HoldStatus): AppError {
  return new AppError('HOLD_NOT_ACTIVE', `Hold ${id} is ${status}`);
}

/** A sale a batch did not make: refused with the seats it found left, or, when nothing was decided or holds whose time is up may free seats for it, undefined (it must be tried alone). */
function refused({ quantity }: Sale, { made, due, seats_left }: Decision): AppError | undefined {
  return made === false && !due ? insufficient(quantity, seats_left!) : undefined;
}

/** The parameters a batch statement starts with: $1 event, $2 users, $3 quantities, $4 ticket type (none: the default). */
function batchOf(sales: Sale[]): [number, number[], number[], number | null] {
  const { eventId, ticketTypeId } = sales[0];
  return [eventId, sales.map((sale) => sale.userId), sales.map((sale) => sale.quantity), ticketTypeId ?? null];
}

/** The hold a HOLD_STATEMENT or BATCH_HOLD_STATEMENT just made: active, not an offer. */
function heldSeats({ userId, eventId, quantity }: Sale, row: HoldRow): HoldEntity {
  return Object.assign(new HoldEntity(), {
    id: row.id,
    userId,
    eventId,
    ticketTypeId: row.ticket_type_id,
    quantity,
    totalAmount: row.total_amount,
    status: HoldStatus.Active,
    expiresAt: row.expires_at,
    offer: false,
    bookingId: null,
    createdAt: row.created_at,
    updatedAt: row.created_at,
  });
}

function insufficient(quantity: number, available: number): AppError {
  return new AppError('INSUFFICIENT_TICKETS', `Not enough tickets: ${quantity} requested, ${available} available`);
}

function notBookable(eventId: number, status: EventStatus): AppError {
  const reason = status === EventStatus.Active ? 'has already started' : `is ${status}`;
  return new AppError('EVENT_NOT_BOOKABLE', `Event ${eventId} ${reason}`);
}

/** The booking a SALE_STATEMENT or CONFIRM_STATEMENT just made: confirmed, with active tickets. */
function soldBooking({ userId, eventId, quantity }: Sale, row: SaleRow): BookingEntity {
  const at = row.booking_date;
  return Object.assign(new BookingEntity(), {
    id: row.id,
    userId,
    eventId,
    ticketTypeId: row.ticket_type_id,
    quantity,
    totalAmount: row.total_amount,
    bookingDate: at,
    status: BookingStatus.Confirmed,
    createdAt: at,
    updatedAt: at,
    tickets: row.ticket_ids.map((id, i) =>
      Object.assign(new TicketEntity(), {
        id,
        bookingId: row.id,
        ticketCode: row.ticket_codes[i],
        status: TicketStatus.Active,
        usedAt: null,
        createdAt: at,
        updatedAt: at,
      }),
    ),
  });
}
