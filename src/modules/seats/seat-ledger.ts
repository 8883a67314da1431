import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../../database/postgres-errors';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { Metrics } from '../../metrics/metrics.service';
import { BookingEntity, BookingStatus } from '../bookings/entities/booking.entity';
import { EventEntity, EventStatus } from '../events/entities/event.entity';
import { TicketTypeEntity } from '../events/entities/ticket-type.entity';
import { HoldEntity, HoldStatus, isDue } from '../holds/entities/hold.entity';
import { decimalsOf } from '../payments/money';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { TicketCodeGenerator } from '../tickets/ticket-code';
import {
  BOOKABLE_QUERY,
  BookableRow,
  BOOKINGS_CANCELLED_STATEMENT,
  CONFIRM_STATEMENT,
  ConfirmedRow,
  Decision,
  DUE_EVENTS_QUERY,
  END_DUE_HOLDS_STATEMENT,
  END_EVENT_HOLDS_STATEMENT,
  END_HOLD_STATEMENT,
  END_ORDER_STATEMENT,
  EndedHoldsRow,
  HeldRow,
  HOLD_STATEMENT,
  OFFERED_STATEMENT,
  REFUNDS_STATEMENT,
  SALE_STATEMENT,
  SoldRow,
  WAITING_QUERY,
  WaitingRow,
} from './sale.statement';

/**
 * Every change of an event's seats, and every rule about them, in one place. A seat is sold (in
 * a confirmed booking), held (kept for a buyer by an active checkout hold, a waiting-list offer,
 * or a line of a pending order: each line is a hold carrying the order's id) or available:
 * `available = capacity - sold - held`. The event row counts them (`total_tickets_sold`,
 * `total_tickets_held`, with `total_revenue` and `total_bookings` for the sales), and so does the
 * row of the ticket type they are sold or held as (sold, held, revenue); the counters always
 * equal the aggregates over the confirmed bookings and active holds, and the database refuses
 * more sold and held together than the event's capacity (chk_events_sold, chk_events_sold_held)
 * or the type's quota (chk_ticket_types_sold_held). A type has seats left when both have.
 *
 * Each method runs in the caller's transaction (`em`), under the event's row lock: `sell`,
 * `hold` and `confirm` decide requests that arrived together (see SaleBatcher; a lone request
 * is a batch of one) and take it within their one statement; the others expect the caller to
 * have taken it with `lock`, before any ticket type, hold, booking or ticket row. Lock order, everywhere: event,
 * ticket type, promo code, order, hold, booking, ticket. Only the ledger changes the counters (and
 * a promo code's `uses`, counted and given back with the seats of the orders that use it), a hold's
 * status, an order's status as its seats change (made, paid, expired, cancelled, refunded), a
 * booking's confirmed/cancelled status and its tickets' cancellation.
 */
@Injectable()
export class SeatLedger {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly codes: TicketCodeGenerator,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Sells `sales` (one line each, of one event or several, in order of arrival) in one statement (see
   * SALE_STATEMENT): for each, in order, its booking or why not (see `decisions`).
   */
  async sell(em: EntityManager, sales: Sale[]): Promise<Decided<BookingEntity>[]> {
    const rows: SoldRow[] = await em.query(SALE_STATEMENT, [
      ...linesOf(sales),
      this.suffixes(sales.flatMap((sale) => sale.lines.map((line) => line.quantity))),
    ]);
    this.metrics.webhookMessages.inc(rows[0].messages);
    return this.decisions(em, sales, rows, (sale, [row]) => soldBooking(sale.userId, sale.eventId, row));
  }

  /**
   * Holds seats for `sales` (of one event or several, in order of arrival) in one statement (see
   * HOLD_STATEMENT), one hold per line, for `ttlSeconds`: for each, in order, its holds (and,
   * for orders, the order as the API returns it) or why not (see `decisions`). Two active holds
   * or pending orders of one user for the event abort the statement (uq_holds_active_user_event).
   */
  async hold(em: EntityManager, sales: Sale[], ttlSeconds: number): Promise<Decided<Held>[]> {
    const rows: HeldRow[] = await em.query(HOLD_STATEMENT, [
      ...linesOf(sales),
      ttlSeconds,
      false,
      sales.map((sale) => sale.order === true),
      sales.map((sale) => sale.promoCode ?? null),
      this.discountDecimals(),
    ]);
    this.metrics.webhookMessages.inc(rows[0].messages);
    return this.decisions(em, sales, rows, (sale, held) => {
      (sale.order ? this.metrics.ordersCreated : this.metrics.holdsCreated).inc();
      this.metrics.promoCodeUses.inc(held.reduce((uses, row) => uses + row.uses, 0));
      return { holds: held.map((row) => heldSeats(sale, row)), order: held[0].order };
    });
  }

  /**
   * Confirms `requests` (each the holds of one event to confirm together, in order of arrival; of one event or several)
   * in one statement (see CONFIRM_STATEMENT): for each, in order, one booking per hold (and the
   * order they paid, as the API returns it, when they are its lines);
   * CONFIRMED_BEFORE when its holds were confirmed by then; 409 HOLD_EXPIRED when it had expired
   * and its seats are gone, HOLD_NOT_ACTIVE when a hold was released, EVENT_NOT_BOOKABLE when
   * the event is not. `late` (a provider's payment arriving after its order ended) takes the
   * seats of released holds and expired offers again too, when they are there.
   */
  async confirm(
    em: EntityManager,
    requests: HoldEntity[][],
    late = false,
  ): Promise<Decided<Confirmed | ConfirmedBefore>[]> {
    const holds = requests.flat();
    const rows: ConfirmedRow[] = await em.query(CONFIRM_STATEMENT, [
      holds.map((hold) => hold.eventId),
      requests.flatMap((request, r) => request.map(() => r + 1)),
      holds.map((hold) => hold.id),
      holds.map((hold) => hold.quantity),
      this.suffixes(holds.map((hold) => hold.quantity)),
      late,
    ]);
    this.metrics.webhookMessages.inc(rows[0].messages);
    return inTurn(requests, async (request, r) => {
      const mine = rows.filter((row) => row.r === r + 1);
      if (mine[0].made === false) return expired(request);
      if (mine[0].made === null) return this.notConfirmed(em, request);
      (request[0].orderId === null ? this.metrics.holdsConfirmed : this.metrics.ordersPaid).inc();
      this.metrics.waitlistOffersTaken.inc(request.filter((hold) => hold.offer).length);
      return {
        bookings: request.map((hold, i) => soldBooking(hold.userId, hold.eventId, mine[i])),
        order: mine[0].order,
      };
    });
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
    return { ticketTypeId: event.ticket_type_id!, available: Math.min(event.event_left, event.type_left) };
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
   * Locks the event and expires its holds and orders whose time is up: their seats go to the
   * waiting list, or are available again. Returns how many holds and orders expired.
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
   * WAITLIST_OFFER_TTL_SECONDS for its user (with a payment provider, an offer of a priced type
   * is a pending one-line order, to be paid), and the next entries get what is left: one
   * HOLD_STATEMENT decides them all. Every path that frees seats calls this under the event's
   * row lock, in the transaction that frees them, so no one else can take freed seats while an
   * entry they fit waits.
   */
  async offerFreedSeats(em: EntityManager, eventId: number): Promise<void> {
    const waiting: WaitingRow[] = await em.query(WAITING_QUERY, [eventId]);
    if (waiting.length === 0) return;
    const entries = waiting.map((entry) => ({
      eventId,
      userId: entry.user_id,
      lines: [{ ticketTypeId: entry.ticket_type_id, quantity: entry.quantity }],
    }));
    const paid = this.config.payments.provider !== 'none';
    const rows: HeldRow[] = await em.query(HOLD_STATEMENT, [
      ...linesOf(entries),
      this.config.waitlist.offerTtlSeconds,
      true,
      waiting.map((entry) => paid && entry.priced),
      waiting.map(() => null),
      this.discountDecimals(),
    ]);
    const offered = rows.filter((row) => row.made);
    if (offered.length === 0) return;
    const [{ messages }]: { messages: number }[] = await em.query(OFFERED_STATEMENT, [
      offered.map((row) => waiting[row.r - 1].id),
      offered.map((row) => row.id),
      offered.map((row) => row.order_id),
    ]);
    this.metrics.holdsCreated.inc(offered.length);
    this.metrics.waitlistOffers.inc(offered.length);
    this.metrics.webhookMessages.inc(rows[0].messages + messages);
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
   * its seats and amount go back, and its `booking.cancelled` webhook message is recorded. A
   * booking of a paid order is refunded, unless `refunded` says its money went back already.
   */
  async cancelBooking(em: EntityManager, booking: BookingEntity, refunded = false): Promise<void> {
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
    if (booking.orderId !== null) await this.refund(em, [booking.id], !refunded);
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
      await this.refund(
        em,
        cancelled.map((b) => b.id),
        true,
      );
    }
    const nothingSold = { totalTicketsSold: 0, totalTicketsHeld: 0, totalRevenue: '0.00' };
    await em.update(TicketTypeEntity, { eventId: event.id }, nothingSold);
    await em.update(EventEntity, { id: event.id }, { ...nothingSold, totalBookings: 0 });
    Object.assign(event, nothingSold, { totalBookings: 0 });
  }

  /**
   * Releases a pending order's lines (locked by the caller after its event): the order is
   * `cancelled`, its seats go to the waiting list, or are available again.
   */
  async releaseOrder(em: EntityManager, order: { id: number; eventId: number }): Promise<void> {
    await this.endHolds(em, END_ORDER_STATEMENT, order.id, HoldStatus.Released);
    await this.offerFreedSeats(em, order.eventId);
  }

  /**
   * What a hold statement that failed for `sale` alone means: when the database refused a second
   * active hold or pending order (uq_holds_active_user_event), 409 HOLD_EXISTS naming the user's;
   * when that one's time is up, or it ended meanwhile, undecided: the event's holds whose time is
   * up are expired and the sale tried again.
   */
  async holdExists(error: unknown, { userId, eventId }: Sale): Promise<Undecided | AppError | undefined> {
    if (!isUniqueViolation(error, 'holds')) return undefined;
    const active = await this.db
      .getRepository(HoldEntity)
      .findOneBy({ userId, eventId, status: HoldStatus.Active, offer: false, line: 1 });
    const which = !active ? 'a hold' : active.orderId === null ? `hold ${active.id}` : `order ${active.orderId}`;
    const exists = new AppError('HOLD_EXISTS', `User ${userId} already has ${which} active for event ${eventId}`);
    if (active && !isDue(active)) return exists;
    return new Undecided(exists, () => this.expireDueAlone(eventId));
  }

  /** Refunds the bookings just cancelled that are lines of paid orders (REFUNDS_STATEMENT; `record`: see $2). */
  private async refund(em: EntityManager, bookingIds: number[], record: boolean): Promise<void> {
    const [{ orders, messages }]: { orders: number; messages: number }[] = await em.query(REFUNDS_STATEMENT, [
      bookingIds,
      record,
    ]);
    this.metrics.ordersRefunded.inc(orders);
    this.metrics.webhookMessages.inc(messages);
  }

  /** Records the `booking.cancelled` webhook messages of the bookings just cancelled. */
  private async reportCancelled(em: EntityManager, bookingIds: number[]): Promise<void> {
    const [{ messages }]: { messages: number }[] = await em.query(BOOKINGS_CANCELLED_STATEMENT, [bookingIds]);
    this.metrics.webhookMessages.inc(messages);
  }

  /**
   * Each request's outcome from its lines' rows: `made` from its rows; a refusal (409
   * INSUFFICIENT_TICKETS with the seats its first short line found), to be tried again once the
   * event's holds whose time is up are freed, when it has any; or, when the statement decided
   * nothing for it, why not as things are now (404, 400, 409 EVENT_NOT_BOOKABLE), or, should
   * nothing refuse it now, to be tried again.
   */
  private async decisions<Row extends Decision & { due: boolean }, T>(
    em: EntityManager,
    sales: Sale[],
    rows: Row[],
    made: (sale: Sale, rows: Row[]) => T,
  ): Promise<Decided<T>[]> {
    return inTurn(sales, async (sale, r) => {
      const mine = rows.filter((row) => row.r === r + 1);
      const [{ made: fits, due }] = mine;
      if (fits) return made(sale, mine);
      if (fits === false && mine[0].problem !== null) {
        const refusal = promoCodeInvalid(sale, mine[0]);
        return due && mine[0].problem === 'used up'
          ? new Undecided(refusal, () => this.expireDueAlone(sale.eventId))
          : refusal;
      }
      if (fits === false) {
        const short = mine.find((row) => row.n === row.short_n)!;
        const { quantity } = sale.lines[mine.indexOf(short)];
        const refusal = insufficient(quantity, short.seats_left!, sale.order ? short.name! : undefined);
        return due ? new Undecided(refusal, () => this.expireDueAlone(sale.eventId)) : refusal;
      }
      const unknown = sale.lines.find((_, i) => mine[i].name === null) ?? sale.lines[0];
      const event = await this.bookable(em, sale.eventId, unknown.ticketTypeId, sale.promoCode);
      if (event instanceof AppError) return event;
      return (await this.repeatedType(em, sale)) ?? new Undecided(insufficient(unknown.quantity, 0));
    });
  }

  /**
   * 400 when two lines of `sale` are of one ticket type, one naming the event's default type and
   * one leaving the type out (PurchasePolicy refuses the others before any seat is counted).
   */
  private async repeatedType(em: EntityManager, sale: Sale): Promise<AppError | undefined> {
    const event = await this.bookable(em, sale.eventId);
    if (event instanceof AppError) return undefined;
    const types = sale.lines.map((line) => line.ticketTypeId ?? event.ticket_type_id);
    const repeated = types.find((type, i) => types.indexOf(type) !== i);
    if (repeated === undefined) return undefined;
    return repeatedTypeError(`ticket type ${repeated}`);
  }

  /** Why a request of holds to confirm was not decided, as they are now. */
  private async notConfirmed(em: EntityManager, request: HoldEntity[]): Promise<Decided<ConfirmedBefore>> {
    const rows: { id: number; status: HoldStatus }[] = await em.query(
      'SELECT id, status FROM holds WHERE id = ANY ($1::int[]) ORDER BY id',
      [request.map((hold) => hold.id)],
    );
    if (rows.every((row) => row.status === HoldStatus.Confirmed)) return CONFIRMED_BEFORE;
    const released = rows.find((row) => row.status === HoldStatus.Released);
    if (released)
      return request[0].orderId === null
        ? holdNotActive(released.id, released.status)
        : orderNotPending(request[0].orderId, 'cancelled');
    const event = await this.bookable(em, request[0].eventId, request[0].ticketTypeId);
    if (event instanceof AppError) return event;
    const offerGone = request.some((hold, i) => hold.offer && rows[i].status === HoldStatus.Expired);
    return offerGone ? expired(request) : new Undecided(expired(request));
  }

  /** Expires the event's holds whose time is up, in a transaction of its own (a batch's may be rolled back, as an Idempotency-Key's is). */
  private expireDueAlone(eventId: number): Promise<number> {
    return this.db.transaction((locked) => this.expireDue(locked, eventId));
  }

  /** The minor unit a percent discount is rounded to: cents, or whole units in a zero-decimal currency. */
  private discountDecimals(): number {
    return Math.min(decimalsOf(this.config.payments.currency), 2);
  }

  /** Fresh ticket code suffixes: one per seat of each of `quantities`, in order. */
  private suffixes(quantities: number[]): string[] {
    return quantities.flatMap((quantity) => Array.from({ length: quantity }, () => this.codes.suffix()));
  }

  /**
   * The event and the ticket type asked for (none: the default) as they are now (BOOKABLE_QUERY),
   * or why nothing of them can be sold: no such event, no such type of it (a hidden type is one
   * only for a buyer whose promo code names it), not bookable.
   */
  private async bookable(
    em: EntityManager,
    eventId: number,
    ticketTypeId?: number,
    promoCode?: string,
  ): Promise<BookableRow | AppError> {
    const [event]: BookableRow[] = await em.query(BOOKABLE_QUERY, [eventId, ticketTypeId ?? null, promoCode ?? null]);
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
   * Runs one of the END_* statements and counts the holds and orders it ended as released (or
   * cancelled) or expired (`status`), and the offers among them as expired offers; returns how
   * many holds and orders it ended.
   */
  private async endHolds(em: EntityManager, statement: string, id: number, status: HoldStatus): Promise<number> {
    // An UPDATE's result comes as [rows, row count].
    const [[ended]]: [EndedHoldsRow[], number] = await em.query(statement, [id, status]);
    const { holds, offers, orders, messages } = ended ?? { holds: 0, offers: 0, orders: 0, messages: 0 };
    this.metrics.webhookMessages.inc(messages);
    (status === HoldStatus.Expired ? this.metrics.holdsExpired : this.metrics.holdsReleased).inc(holds);
    (status === HoldStatus.Expired ? this.metrics.ordersExpired : this.metrics.ordersCancelled).inc(orders);
    this.metrics.waitlistOffersExpired.inc(offers);
    return holds + orders;
  }
}

/** One line of a purchase: seats of one ticket type (none named: the event's default). */
export interface Line {
  ticketTypeId?: number;
  quantity: number;
}

/** Seats of one event for one buyer: a booking or a hold (one line), or an order (several). */
export interface Sale {
  eventId: number;
  userId: number;
  lines: Line[];
  /** Held as an order (see OrderEntity) rather than as holds of their own. */
  order?: boolean;
  /** The promo code an order uses (see PromoCodeEntity). */
  promoCode?: string;
}

/** What a hold statement made of a sale: its holds, one per line, and its order as the API returns it (orders only). */
export interface Held {
  holds: HoldEntity[];
  order: object | null;
}

/** What a confirmation made: a booking per hold, and the order they paid as the API returns it (an order's lines only). */
export interface Confirmed {
  bookings: BookingEntity[];
  order: object | null;
}

/**
 * A request a statement could not decide as things stood: decide it again, after `first` (the
 * event's holds whose time is up freed, say), or, when no attempt is left, answer `otherwise`.
 */
export class Undecided {
  constructor(
    readonly otherwise: Error,
    readonly first?: () => Promise<unknown>,
  ) {}
}

/** What a statement made of a request: made, refused, or undecided. */
export type Decided<T> = T | AppError | Undecided;

/** Holds confirmed by a concurrent request, before this one. */
export const CONFIRMED_BEFORE = 'confirmed before';
export type ConfirmedBefore = typeof CONFIRMED_BEFORE;

export function holdNotActive(id: number, status: HoldStatus): AppError {
  return new AppError('HOLD_NOT_ACTIVE', `Hold ${id} is ${status}`);
}

function expired(request: HoldEntity[]): AppError {
  const [{ id, orderId, quantity }] = request;
  if (orderId !== null) return new AppError('ORDER_EXPIRED', `Order ${orderId} has expired and its tickets are gone`);
  return new AppError('HOLD_EXPIRED', `Hold ${id} has expired and its ${quantity} tickets are gone`);
}

export function orderNotPending(id: number, status: string): AppError {
  return new AppError('ORDER_NOT_PENDING', `Order ${id} is ${status}`);
}

/** The parameters a sale or hold statement starts with (see asked): per line its event, request, buyer, type and quantity. */
function linesOf(sales: Sale[]): [number[], number[], number[], (number | null)[], number[]] {
  const lines = sales.flatMap((sale, r) =>
    sale.lines.map((line) => ({ ...line, r: r + 1, userId: sale.userId, eventId: sale.eventId })),
  );
  return [
    lines.map((line) => line.eventId),
    lines.map((line) => line.r),
    lines.map((line) => line.userId),
    lines.map((line) => line.ticketTypeId ?? null),
    lines.map((line) => line.quantity),
  ];
}

/** A hold HOLD_STATEMENT just made: active. */
function heldSeats({ userId, eventId }: Sale, row: HeldRow): HoldEntity {
  return Object.assign(new HoldEntity(), {
    id: row.id,
    orderId: row.order_id,
    line: row.line,
    userId,
    eventId,
    ticketTypeId: row.ticket_type_id,
    quantity: row.quantity,
    totalAmount: row.total_amount,
    status: HoldStatus.Active,
    expiresAt: row.expires_at,
    offer: false,
    bookingId: null,
    createdAt: row.created_at,
    updatedAt: row.created_at,
  });
}

/**
 * `decide` for each of `items`, one after the other: the queries explaining a refusal run on the
 * batch's one connection, which takes one query at a time.
 */
async function inTurn<I, O>(items: I[], decide: (item: I, i: number) => Promise<O>): Promise<O[]> {
  const decided: O[] = [];
  for (const [i, item] of items.entries()) decided.push(await decide(item, i));
  return decided;
}

/** An order with two lines of one ticket type (`which`). */
export function repeatedTypeError(which: string): AppError {
  const message = `each line must be of another ticket type; ${which} is there twice`;
  return AppError.validation([{ field: 'lines', message }]);
}

/** Too few seats: for an order's line, named by its ticket type ("VIP: 3 requested, 1 available"). */
function insufficient(quantity: number, available: number, typeName = 'Not enough tickets'): AppError {
  return new AppError('INSUFFICIENT_TICKETS', `${typeName}: ${quantity} requested, ${available} available`);
}

/** 409 PROMO_CODE_INVALID: why the promo code of `sale` could not be used, from its statement's `row`. */
function promoCodeInvalid({ promoCode, eventId }: Sale, { problem, uses_left: left }: Decision): AppError {
  const why: Record<string, string> = {
    unknown: `is not a code of event ${eventId}`,
    'for none of its ticket types': "is for none of the order's ticket types",
    'used up': `is used up: ${left} ${left === 1 ? 'use' : 'uses'} left, fewer than the order's tickets of its types`,
  };
  return new AppError('PROMO_CODE_INVALID', `Promo code ${promoCode} ${why[problem!] ?? `is ${problem}`}`);
}

function notBookable(eventId: number, status: EventStatus): AppError {
  const reason = status === EventStatus.Active ? 'has already started' : `is ${status}`;
  return new AppError('EVENT_NOT_BOOKABLE', `Event ${eventId} ${reason}`);
}

/** The booking a SALE_STATEMENT or CONFIRM_STATEMENT just made: confirmed, with active tickets. */
function soldBooking(userId: number, eventId: number, row: SoldRow | ConfirmedRow): BookingEntity {
  const at = row.booking_date;
  return Object.assign(new BookingEntity(), {
    id: row.id,
    userId,
    eventId,
    ticketTypeId: row.ticket_type_id,
    orderId: row.order_id,
    quantity: row.ticket_ids.length,
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
