import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { BookingEntity, BookingStatus } from '../bookings/entities/booking.entity';
import { EventEntity } from '../events/entities/event.entity';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { BOOK_STATEMENT, BookRow, SALE_REFUSAL_QUERY, SaleRefusalRow } from './sale.statement';

/** A sale's inputs: one buyer, one event; `suffixes` are the tickets' random code suffixes, one per seat. */
export interface Sale {
  eventId: number;
  userId: number;
  quantity: number;
  suffixes: string[];
}

/**
 * Every change of an event's seats, and every rule about them, in one place. A seat is sold (in
 * a confirmed booking), held (kept for a buyer by a checkout hold) or available:
 * `available = capacity - sold - held`. The event row counts them (`total_tickets_sold`,
 * `total_tickets_held`, with `total_revenue` and `total_bookings` for the sales); the counters
 * always equal the aggregates over the event's confirmed bookings, and the database refuses more
 * sold and held together than capacity (chk_events_sold, chk_events_sold_held).
 *
 * Each method runs in the caller's transaction (`em`), under the event's row lock: `sell` takes
 * it within its statement; the others expect the caller to have taken it with `lock`, before any
 * booking or ticket row. Lock order, everywhere: event, then booking, then ticket. Only the ledger
 * changes the counters, a booking's confirmed/cancelled status and its tickets' cancellation.
 */
@Injectable()
export class SeatLedger {
  /** Sells in one statement (see BOOK_STATEMENT); undefined when the event refused, then see `refusal`. */
  async sell(em: EntityManager, { eventId, userId, quantity, suffixes }: Sale): Promise<BookRow | undefined> {
    const [row]: BookRow[] = await em.query(BOOK_STATEMENT, [eventId, userId, quantity, suffixes]);
    return row;
  }

  /** The event as a refused sale finds it now; undefined when there is no such event. */
  async refusal(em: EntityManager, eventId: number): Promise<SaleRefusalRow | undefined> {
    const [event]: SaleRefusalRow[] = await em.query(SALE_REFUSAL_QUERY, [eventId]);
    return event;
  }

  /** Locks the event row for the rest of the transaction. */
  async lock(em: EntityManager, eventId: number): Promise<EventEntity> {
    const event = await em.findOne(EventEntity, { where: { id: eventId }, lock: { mode: 'pessimistic_write' } });
    if (!event) throw AppError.notFound('Event', eventId);
    return event;
  }

  /** A capacity may not be set below the seats sold and held. */
  assertCapacity(event: EventEntity, capacity: number): void {
    const { totalTicketsSold: sold, totalTicketsHeld: held } = event;
    if (capacity < sold + held) {
      const taken = held === 0 ? `${sold} tickets already sold` : `${sold} tickets sold and ${held} held`;
      throw new AppError('CAPACITY_BELOW_SOLD', `Capacity ${capacity} is below the ${taken}`);
    }
  }

  /** Cancels a confirmed booking (locked by the caller after its event) and its active tickets; its seats and amount go back. */
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
  }

  /** Cancels every confirmed booking of a locked event and their active tickets; nothing stays sold. */
  async cancelEvent(em: EntityManager, event: EventEntity): Promise<void> {
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
    }
    const nothingSold = { totalTicketsSold: 0, totalRevenue: '0.00', totalBookings: 0 };
    await em.update(EventEntity, { id: event.id }, nothingSold);
    Object.assign(event, nothingSold);
  }
}
