import { EventStatus } from '../events/entities/event.entity';

/**
 * A sale (see SeatLedger.sell): the whole booking as one statement, so one round trip and one transaction. The conditional
 * UPDATE takes the event's row lock, and PostgreSQL re-evaluates its WHERE (bookable, enough
 * seats) on the latest committed row once the lock is granted, so concurrent bookings from
 * any number of processes queue on the row and never oversell. The sale is counted, the
 * booking and its tickets inserted from the UPDATE's RETURNING; the lock is held only while
 * PostgreSQL executes and commits the statement, never across a client round trip.
 *
 * $1 event id, $2 user id, $3 quantity, $4 the tickets' random 8-character suffixes.
 * Returns no row when nothing was booked (see SALE_REFUSAL_QUERY). A duplicate ticket code
 * aborts the whole statement (unique violation); the caller retries with new suffixes.
 */
export const BOOK_STATEMENT = `
WITH sale AS (
  UPDATE events
     SET total_tickets_sold = total_tickets_sold + $3::int, total_revenue = total_revenue + price * $3::int,
         total_bookings = total_bookings + 1, updated_at = now()
   WHERE id = $1::int AND status = 'active' AND date_time > now()
     AND capacity - total_tickets_sold - total_tickets_held >= $3::int
  RETURNING id, price * $3::int AS total_amount
), booking AS (
  INSERT INTO bookings (user_id, event_id, quantity, total_amount)
  SELECT $2::int, id, $3::int, total_amount FROM sale
  RETURNING id, total_amount, booking_date
), tickets AS (
  INSERT INTO tickets (booking_id, ticket_code)
  SELECT booking.id, 'TKT-' || to_char(booking.booking_date AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || suffix
    FROM booking, unnest($4::text[]) WITH ORDINALITY AS s(suffix, n)
   ORDER BY n
  RETURNING id, ticket_code
)
SELECT booking.id, booking.total_amount::text, booking.booking_date,
       (SELECT array_agg(id ORDER BY id) FROM tickets) AS ticket_ids,
       (SELECT array_agg(ticket_code ORDER BY id) FROM tickets) AS ticket_codes
  FROM booking`;

export interface BookRow {
  id: number;
  total_amount: string;
  booking_date: Date;
  ticket_ids: number[];
  ticket_codes: string[];
}

/** Why an event refused a sale, read after BOOK_STATEMENT returned no row. $1 event id. */
export const SALE_REFUSAL_QUERY = `
SELECT status, status = 'active' AND date_time > now() AS open,
       capacity - total_tickets_sold - total_tickets_held AS available
  FROM events WHERE id = $1::int`;

export interface SaleRefusalRow {
  status: EventStatus;
  open: boolean;
  available: number;
}
