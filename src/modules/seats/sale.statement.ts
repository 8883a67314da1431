import { EventStatus } from '../events/entities/event.entity';
import { isoDateTime, outboxMessages } from '../webhooks/outbox';

/**
 * The sale's ticket type: $5, or the event's default when $5 is null, with the seats its quota
 * has left (null: no quota). As the statement's snapshot saw it, before the statement waited
 * for the event's row lock: a concurrent sale of the same type may have committed since. The
 * type's row is then updated from its latest version, and should the stale count have let too
 * many seats through, chk_ticket_types_sold_held aborts the statement (see SeatLedger.counting).
 */
/** A ticket as the API returns it (TicketResponseDto), from a row `t` of tickets. */
const ticketJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'booking_id', ${t}.booking_id, 'ticket_code', ${t}.ticket_code, 'status', ${t}.status,
  'created_at', ${isoDateTime(`${t}.created_at`)}, 'updated_at', ${isoDateTime(`${t}.updated_at`)},
  'used_at', ${isoDateTime(`${t}.used_at`)})`;

/**
 * A booking as the API returns it (BookingResponseDto), from a row `b` of bookings and the rows
 * of `tickets` (the table, or a CTE that inserted them), for its webhook messages.
 */
const bookingJson = (b: string, tickets: string) => `json_build_object(
  'id', ${b}.id, 'user_id', ${b}.user_id, 'event_id', ${b}.event_id, 'ticket_type_id', ${b}.ticket_type_id,
  'quantity', ${b}.quantity, 'total_amount', ${b}.total_amount::text, 'booking_date', ${isoDateTime(`${b}.booking_date`)},
  'status', ${b}.status, 'created_at', ${isoDateTime(`${b}.created_at`)}, 'updated_at', ${isoDateTime(`${b}.updated_at`)},
  'tickets', coalesce((SELECT json_agg(${ticketJson('t')} ORDER BY t.id) FROM ${tickets} t WHERE t.booking_id = ${b}.id), '[]'))`;

/** A hold as the API returns it (HoldResponseDto), from a row `h` of holds, for its webhook messages. */
const holdJson = (h: string) => `json_build_object(
  'id', ${h}.id, 'user_id', ${h}.user_id, 'event_id', ${h}.event_id, 'ticket_type_id', ${h}.ticket_type_id,
  'quantity', ${h}.quantity, 'total_amount', ${h}.total_amount::text, 'status', ${h}.status,
  'expires_at', ${isoDateTime(`${h}.expires_at`)}, 'booking_id', ${h}.booking_id,
  'created_at', ${isoDateTime(`${h}.created_at`)}, 'updated_at', ${isoDateTime(`${h}.updated_at`)})`;

const TICKET_TYPE = `type AS (
  SELECT id, price, quota - total_tickets_sold - total_tickets_held AS seats_left FROM ticket_types
   WHERE event_id = $1::int AND (id = $5::int OR $5::int IS NULL AND is_default)
)`;
/** The event is bookable and it and the type have $3 seats left; for an `UPDATE events ... FROM type`. */
const SEATS_LEFT = `events.id = $1::int AND events.status = 'active' AND events.date_time > now()
     AND events.capacity - events.total_tickets_sold - events.total_tickets_held >= $3::int
     AND coalesce(type.seats_left, $3::int) >= $3::int`;

/**
 * The booking and its tickets, inserted from the `sale` CTE's RETURNING (id, ticket_type_id,
 * total_amount) of the statements below, its `booking.confirmed` webhook message, and the row they
 * answer with. $2 user id, $3 quantity, $4 the tickets' random 8-character suffixes. A duplicate
 * ticket code aborts the whole statement (unique violation); the caller retries with new suffixes.
 */
const BOOKING_AND_TICKETS = `booking AS (
  INSERT INTO bookings (user_id, event_id, ticket_type_id, quantity, total_amount)
  SELECT $2::int, id, ticket_type_id, $3::int, total_amount FROM sale
  RETURNING *
), tickets AS (
  INSERT INTO tickets (booking_id, ticket_code)
  SELECT booking.id, 'TKT-' || to_char(booking.booking_date AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || suffix
    FROM booking, unnest($4::text[]) WITH ORDINALITY AS s(suffix, n)
   ORDER BY n
  RETURNING *
), ${outboxMessages(`SELECT 'booking.confirmed' AS type, 'booking/' || booking.id AS resource,
       ${bookingJson('booking', 'tickets')} AS data FROM booking`)}`;
const SOLD = `
SELECT booking.id, booking.ticket_type_id, booking.total_amount::text, booking.booking_date,
       (SELECT array_agg(id ORDER BY id) FROM tickets) AS ticket_ids,
       (SELECT array_agg(ticket_code ORDER BY id) FROM tickets) AS ticket_codes,
       (SELECT count(*)::int FROM messages) AS messages
  FROM booking`;

/**
 * A sale (see SeatLedger.sell): the whole booking as one statement, so one round trip and one transaction. The conditional
 * UPDATE takes the event's row lock, and PostgreSQL re-evaluates its WHERE (bookable, enough
 * seats) on the latest committed row once the lock is granted, so concurrent bookings from
 * any number of processes queue on the row and never oversell. The sale is counted on the event
 * and its ticket type (whose row is locked after the event's), the booking and its tickets
 * inserted from the UPDATE's RETURNING; the locks are held only while PostgreSQL executes and
 * commits the statement, never across a client round trip.
 *
 * $1 event id, $2 user id, $3 quantity, $4 the tickets' code suffixes, $5 ticket type id (null:
 * the default). Returns no row when nothing was sold (see SALE_REFUSAL_QUERY).
 */
export const SALE_STATEMENT = `
WITH ${TICKET_TYPE}, sale AS (
  UPDATE events
     SET total_tickets_sold = total_tickets_sold + $3::int, total_revenue = total_revenue + type.price * $3::int,
         total_bookings = total_bookings + 1, updated_at = now()
    FROM type
   WHERE ${SEATS_LEFT}
  RETURNING events.id, type.id AS ticket_type_id, type.price * $3::int AS total_amount
), counted AS (
  UPDATE ticket_types
     SET total_tickets_sold = total_tickets_sold + $3::int, total_revenue = total_revenue + sale.total_amount,
         updated_at = now()
    FROM sale WHERE ticket_types.id = sale.ticket_type_id
), ${BOOKING_AND_TICKETS}${SOLD}`;

/**
 * The start of a batch of sales (or holds) of one ticket type of one event that arrived
 * together (see SaleBatcher): one lock of the event and the type, one round trip and one commit
 * for all of them, each decided in order of arrival exactly as one statement each would have: it
 * is made when the seats the event and the type have left after those before it are enough
 * (`walk`), else refused, taking nothing. `locked` holds the event's and the type's row locks
 * (the lock order of every path) and reads their rows as they are once granted; it is empty
 * when the event is not bookable or has no such type, and then nothing is decided. `made` has
 * the sales made, each with its row's id drawn up front from `sequence` (so that each sale finds
 * its row) and its amount, and `totals` what they add up to.
 *
 * $1 event id, $2 the buyers' user ids, $3 their quantities, in order of arrival, $4 ticket type
 * id (null: the default).
 */
const decided = (sequence: string) => `
WITH RECURSIVE sales AS (
  SELECT s.n::int, s.user_id, s.quantity, (sum(s.quantity) OVER (ORDER BY s.n) - s.quantity)::int AS seats_before
    FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS s(user_id, quantity, n)
), locked AS MATERIALIZED (
  SELECT e.capacity - e.total_tickets_sold - e.total_tickets_held AS event_left, t.id AS ticket_type_id, t.price,
         coalesce(t.quota - t.total_tickets_sold - t.total_tickets_held, 2147483647) AS type_left,
         EXISTS (SELECT 1 FROM holds h WHERE h.event_id = e.id AND h.status = 'active' AND h.expires_at <= now()) AS due
    FROM events e JOIN ticket_types t ON t.event_id = e.id AND (t.id = $4::int OR $4::int IS NULL AND t.is_default)
   WHERE e.id = $1::int AND e.status = 'active' AND e.date_time > now()
     FOR UPDATE OF e, t
), walk (n, event_left, type_left, made, seats_left) AS (
  SELECT 0, event_left, type_left, false, NULL::int FROM locked
  UNION ALL
  SELECT s.n, w.event_left - CASE WHEN fits THEN s.quantity ELSE 0 END,
         w.type_left - CASE WHEN fits THEN s.quantity ELSE 0 END, fits, least(w.event_left, w.type_left)
    FROM walk w JOIN sales s ON s.n = w.n + 1
   CROSS JOIN LATERAL (SELECT s.quantity <= least(w.event_left, w.type_left) AS fits) f
), made AS MATERIALIZED (
  SELECT s.n, s.user_id, s.quantity, s.seats_before, nextval('${sequence}')::int AS id,
         locked.ticket_type_id, locked.price * s.quantity AS total_amount
    FROM walk JOIN sales s USING (n) CROSS JOIN locked
   WHERE walk.made
   ORDER BY s.n
), totals AS (
  SELECT count(*)::int AS made, coalesce(sum(quantity), 0)::int AS seats, coalesce(sum(total_amount), 0) AS amount
    FROM made
)`;

/**
 * The bookings of a batch's `made` sales (their ids drawn up front in column `id`), one ticket
 * per seat (the code suffixes in the parameter `suffixes`, sale after sale) and each booking's
 * `booking.confirmed` message: CTEs `booking`, `issued` and `messages`.
 */
const batchBookings = (id: string, suffixes: string) => `booking AS (
  INSERT INTO bookings (id, user_id, event_id, ticket_type_id, quantity, total_amount)
  SELECT ${id}, user_id, $1::int, ticket_type_id, quantity, total_amount FROM made ORDER BY n
  RETURNING *
), issued AS (
  INSERT INTO tickets (booking_id, ticket_code)
  SELECT made.${id}, 'TKT-' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || (${suffixes}::text[])[made.seats_before + i]
    FROM made CROSS JOIN generate_series(1, made.quantity) i
   ORDER BY made.n, i
  RETURNING *
), ${outboxMessages(`SELECT 'booking.confirmed' AS type, 'booking/' || booking.id AS resource,
       ${bookingJson('booking', 'issued')} AS data FROM booking`)}`;

/** A batch's booking (of `batchBookings`) as SALE_STATEMENT returns one, and the messages written. */
const BATCH_SOLD = `booking.id, booking.ticket_type_id, booking.total_amount::text, booking.booking_date,
       (SELECT array_agg(id ORDER BY id) FROM issued WHERE issued.booking_id = booking.id) AS ticket_ids,
       (SELECT array_agg(ticket_code ORDER BY id) FROM issued WHERE issued.booking_id = booking.id) AS ticket_codes,
       (SELECT count(*)::int FROM messages) AS messages`;

/** Per sale of a batch, in order: whether it was made (null: not decided), the seats it found left, and whether the event has holds whose time is up. */
const DECISIONS = `sales.n, walk.made, walk.seats_left, (SELECT due FROM locked)`;
const DECISIONS_FROM = `FROM sales LEFT JOIN walk USING (n) LEFT JOIN made USING (n)`;

/**
 * A batch of sales (see `decided`): the event and the type count them, and each sale made gets
 * its booking, its tickets and its `booking.confirmed` message. $5 every ticket's code suffix,
 * sale after sale. One row per sale, in order: its decision and, when made, its booking as
 * SALE_STATEMENT returns one.
 */
export const BATCH_SALE_STATEMENT = `${decided('bookings_id_seq')}, sale AS (
  UPDATE events
     SET total_tickets_sold = total_tickets_sold + totals.seats, total_revenue = total_revenue + totals.amount,
         total_bookings = total_bookings + totals.made, updated_at = now()
    FROM totals WHERE events.id = $1::int AND totals.made > 0
), counted AS (
  UPDATE ticket_types
     SET total_tickets_sold = total_tickets_sold + totals.seats, total_revenue = total_revenue + totals.amount,
         updated_at = now()
    FROM totals, locked WHERE ticket_types.id = locked.ticket_type_id AND totals.made > 0
), ${batchBookings('id', '$5')}
SELECT ${DECISIONS}, ${BATCH_SOLD}
  ${DECISIONS_FROM} LEFT JOIN booking ON booking.id = made.id
 ORDER BY sales.n`;

/**
 * A batch of checkout holds (see `decided`): the event and the type count their seats as held,
 * and each hold made is inserted with its `hold.created` message. $5 time to live in seconds.
 * One row per hold asked for, in order: its decision and, when made, the hold as HOLD_STATEMENT
 * returns one. Two holds of one user, or one of a user with an active hold, abort the whole
 * statement (uq_holds_active_user_event): each is then tried alone.
 */
export const BATCH_HOLD_STATEMENT = `${decided('holds_id_seq')}, seats AS (
  UPDATE events SET total_tickets_held = total_tickets_held + totals.seats, updated_at = now()
    FROM totals WHERE events.id = $1::int AND totals.made > 0
), counted AS (
  UPDATE ticket_types SET total_tickets_held = total_tickets_held + totals.seats, updated_at = now()
    FROM totals, locked WHERE ticket_types.id = locked.ticket_type_id AND totals.made > 0
), hold AS (
  INSERT INTO holds (id, user_id, event_id, ticket_type_id, quantity, total_amount, expires_at)
  SELECT id, user_id, $1::int, ticket_type_id, quantity, total_amount, now() + make_interval(secs => $5::int)
    FROM made ORDER BY n
  RETURNING *
), ${outboxMessages(`SELECT 'hold.created' AS type, 'hold/' || hold.id AS resource, ${holdJson('hold')} AS data FROM hold`)}
SELECT ${DECISIONS}, hold.id, hold.ticket_type_id, hold.total_amount::text, hold.expires_at, hold.created_at,
       (SELECT count(*)::int FROM messages) AS messages
  ${DECISIONS_FROM} LEFT JOIN hold ON hold.id = made.id
 ORDER BY sales.n`;

/** A sale's decision in a batch. */
export interface Decision {
  n: number;
  /** Null when nothing was decided: the event is not bookable or has no such type. */
  made: boolean | null;
  seats_left: number | null;
  due: boolean | null;
  messages: number;
}

export type BatchSaleRow = Decision & Partial<SaleRow>;
export type BatchHoldRow = Decision & Partial<HoldRow>;

/**
 * A hold's confirmation (see SeatLedger.confirm), in one statement like a sale, so the event's
 * row lock is held no longer than for a booking. `hold` locks the event row, then the hold's
 * ticket type, then the hold (the lock order of every path), and PostgreSQL hands back the rows
 * as they are once the locks are granted, so a hold that expired, was released or was confirmed
 * meanwhile is seen as such. An active hold's seats move from held to sold; an expired hold's
 * seats are taken again if the event and the type have them (should the type's counts read here
 * be stale, chk_ticket_types_sold_held refuses the row: see SeatLedger.counting), but not an
 * expired waiting-list offer's, whose seats were passed on; either at the hold's fixed amount.
 * The hold is marked confirmed with its booking, and the entry it was offered to fulfilled.
 *
 * $1 event id, $2 user id, $3 quantity, $4 the tickets' code suffixes, $5 hold id, $6 its amount
 * (a hold's event, type, user, quantity and amount never change). No row when nothing was sold: the
 * hold is neither active nor expired, the event is not bookable, or the seats are gone.
 */
export const CONFIRM_STATEMENT = `
WITH hold AS MATERIALIZED (
  SELECT holds.ticket_type_id, CASE holds.status WHEN 'active' THEN $3::int ELSE 0 END AS held,
         quota - ticket_types.total_tickets_sold - ticket_types.total_tickets_held AS seats_left
    FROM events
    JOIN ticket_types ON ticket_types.event_id = events.id
    JOIN holds ON holds.ticket_type_id = ticket_types.id
   WHERE holds.id = $5::int AND (holds.status = 'active' OR holds.status = 'expired' AND NOT holds.offer)
     FOR UPDATE OF events, ticket_types, holds
), sale AS (
  UPDATE events
     SET total_tickets_sold = total_tickets_sold + $3::int, total_tickets_held = total_tickets_held - hold.held,
         total_revenue = total_revenue + $6::numeric, total_bookings = total_bookings + 1, updated_at = now()
    FROM hold
   WHERE events.id = $1::int AND events.status = 'active' AND date_time > now()
     AND capacity - total_tickets_sold - total_tickets_held + hold.held >= $3::int
     AND coalesce(hold.seats_left + hold.held, $3::int) >= $3::int
  RETURNING events.id, hold.ticket_type_id, hold.held, $6::numeric AS total_amount
), counted AS (
  UPDATE ticket_types
     SET total_tickets_sold = total_tickets_sold + $3::int, total_tickets_held = total_tickets_held - sale.held,
         total_revenue = total_revenue + $6::numeric, updated_at = now()
    FROM sale WHERE ticket_types.id = sale.ticket_type_id
), ${BOOKING_AND_TICKETS}, confirmed AS (
  UPDATE holds SET status = 'confirmed', booking_id = booking.id, updated_at = now()
    FROM booking WHERE holds.id = $5::int
), fulfilled AS (
  UPDATE waitlist_entries SET status = 'fulfilled', updated_at = now()
    FROM booking WHERE waitlist_entries.hold_id = $5::int AND waitlist_entries.status = 'offered'
)${SOLD}`;

/**
 * Confirmations of active holds of one event that arrived together, as one statement (see
 * SaleBatcher): one lock of the event, the holds' ticket types and the holds (the lock order of
 * every path), one round trip, one commit. An active hold's seats are already counted as held,
 * so each one still active once its lock is granted is confirmed as CONFIRM_STATEMENT would:
 * its seats move from held to sold at its amount, it gets its booking and tickets (ids drawn up
 * front), it is marked confirmed, the waiting-list entry it was offered to fulfilled, and its
 * `booking.confirmed` message is recorded. Any other (released, expired, confirmed meanwhile, or
 * of an event that is no longer bookable) is not decided here.
 *
 * $1 event id, $2 the holds' ids, in order of arrival, $3 their quantities, $4 every ticket's
 * code suffix, hold after hold. One row per hold, in order: whether it was confirmed and, when
 * it was, its booking as SALE_STATEMENT returns one.
 */
export const BATCH_CONFIRM_STATEMENT = `
WITH asked AS (
  SELECT a.n::int, a.id, (sum(a.quantity) OVER (ORDER BY a.n) - a.quantity)::int AS seats_before
    FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS a(id, quantity, n)
), made AS MATERIALIZED (
  SELECT asked.n, asked.seats_before, holds.id, holds.user_id, holds.ticket_type_id, holds.quantity,
         holds.total_amount, nextval('bookings_id_seq')::int AS booking_id
    FROM events
    JOIN ticket_types ON ticket_types.event_id = events.id
    JOIN holds ON holds.ticket_type_id = ticket_types.id
    JOIN asked ON asked.id = holds.id
   WHERE events.id = $1::int AND events.status = 'active' AND events.date_time > now()
     AND holds.event_id = $1::int AND holds.status = 'active'
   ORDER BY asked.n
     FOR UPDATE OF events, ticket_types, holds
), totals AS (
  SELECT count(*)::int AS made, coalesce(sum(quantity), 0)::int AS seats, coalesce(sum(total_amount), 0) AS amount
    FROM made
), sale AS (
  UPDATE events
     SET total_tickets_sold = total_tickets_sold + totals.seats, total_tickets_held = total_tickets_held - totals.seats,
         total_revenue = total_revenue + totals.amount, total_bookings = total_bookings + totals.made, updated_at = now()
    FROM totals WHERE events.id = $1::int AND totals.made > 0
), counted AS (
  UPDATE ticket_types
     SET total_tickets_sold = total_tickets_sold + types.seats, total_tickets_held = total_tickets_held - types.seats,
         total_revenue = total_revenue + types.amount, updated_at = now()
    FROM (SELECT ticket_type_id, sum(quantity)::int AS seats, sum(total_amount) AS amount FROM made GROUP BY ticket_type_id) types
   WHERE ticket_types.id = types.ticket_type_id
), ${batchBookings('booking_id', '$4')}, confirmed AS (
  UPDATE holds SET status = 'confirmed', booking_id = made.booking_id, updated_at = now()
    FROM made WHERE holds.id = made.id
), fulfilled AS (
  UPDATE waitlist_entries SET status = 'fulfilled', updated_at = now()
    FROM made WHERE waitlist_entries.hold_id = made.id AND waitlist_entries.status = 'offered'
)
SELECT asked.n, made.id IS NOT NULL AS made, ${BATCH_SOLD}
  FROM asked LEFT JOIN made USING (n) LEFT JOIN booking ON booking.id = made.booking_id
 ORDER BY asked.n`;

export type BatchConfirmRow = { n: number; made: boolean; messages: number } & Partial<SaleRow>;

export interface SaleRow {
  id: number;
  ticket_type_id: number;
  total_amount: string;
  booking_date: Date;
  ticket_ids: number[];
  ticket_codes: string[];
  /** Webhook messages written. */
  messages: number;
}

/**
 * A checkout hold, as one statement like a sale: the event's row lock, the check of bookable
 * and enough seats for the event and the type, the seats counted as held on both, the hold
 * inserted with its amount and expiry. $1 event id, $2 user id, $3 quantity, $4 time to live in
 * seconds, $5 ticket type id (null: the default), $6 whether it is a waiting-list offer. It
 * records the `hold.created` webhook message. No row when the event refused; a unique violation (uq_holds_active_user_event) when the user already
 * has an active hold that is not an offer.
 */
export const HOLD_STATEMENT = `
WITH ${TICKET_TYPE}, seats AS (
  UPDATE events SET total_tickets_held = total_tickets_held + $3::int, updated_at = now()
    FROM type
   WHERE ${SEATS_LEFT}
  RETURNING events.id, type.id AS ticket_type_id, type.price * $3::int AS total_amount
), counted AS (
  UPDATE ticket_types SET total_tickets_held = total_tickets_held + $3::int, updated_at = now()
    FROM seats WHERE ticket_types.id = seats.ticket_type_id
), hold AS (
  INSERT INTO holds (user_id, event_id, ticket_type_id, quantity, total_amount, expires_at, offer)
  SELECT $2::int, id, ticket_type_id, $3::int, total_amount, now() + make_interval(secs => $4::int), $6::boolean
    FROM seats
  RETURNING *
), ${outboxMessages(`SELECT 'hold.created' AS type, 'hold/' || hold.id AS resource, ${holdJson('hold')} AS data FROM hold`)}
SELECT id, ticket_type_id, total_amount::text, expires_at, created_at, (SELECT count(*)::int FROM messages) AS messages
  FROM hold`;

export interface HoldRow {
  id: number;
  ticket_type_id: number;
  total_amount: string;
  expires_at: Date;
  created_at: Date;
  /** Webhook messages written. */
  messages: number;
}

/**
 * Ends the active holds `condition` picks ($1 its parameter) with status $2, and gives their
 * seats back to their events and ticket types; the waiting-list entries whose offers they were
 * become `expired`; each hold's `hold.released` or `hold.expired` webhook message is recorded.
 * Returns, per event, how many of its holds ended, and how many of those were offers, and (on
 * every row) how many webhook messages were written. The caller holds the events' row locks; `status = 'active'` makes a second end of the
 * same hold a no-op.
 */
const endHolds = (condition: string) => `
WITH ended AS (
  UPDATE holds SET status = $2::hold_status, updated_at = now()
   WHERE status = 'active' AND ${condition}
  RETURNING *
), lapsed AS (
  UPDATE waitlist_entries SET status = 'expired', updated_at = now()
    FROM ended WHERE waitlist_entries.hold_id = ended.id AND waitlist_entries.status = 'offered'
), types AS (
  UPDATE ticket_types SET total_tickets_held = total_tickets_held - freed.seats, updated_at = now()
    FROM (SELECT ticket_type_id, sum(quantity)::int AS seats FROM ended GROUP BY ticket_type_id) freed
   WHERE ticket_types.id = freed.ticket_type_id
), ${outboxMessages(`SELECT 'hold.' || ended.status AS type, 'hold/' || ended.id AS resource, ${holdJson('ended')} AS data
  FROM ended`)}
UPDATE events SET total_tickets_held = total_tickets_held - freed.seats, updated_at = now()
  FROM (SELECT event_id, count(*)::int AS holds, count(*) FILTER (WHERE offer)::int AS offers,
               sum(quantity)::int AS seats
          FROM ended GROUP BY event_id) freed
 WHERE events.id = freed.event_id
RETURNING freed.holds, freed.offers, (SELECT count(*)::int FROM messages) AS messages`;

/** Ends one hold; $1 the hold id. */
export const END_HOLD_STATEMENT = endHolds('id = $1::int');
/** Ends an event's holds whose time is up; $1 the event id. */
export const END_DUE_HOLDS_STATEMENT = endHolds('event_id = $1::int AND expires_at <= now()');
/** Ends all of an event's active holds; $1 the event id. */
export const END_EVENT_HOLDS_STATEMENT = endHolds('event_id = $1::int');

export interface EndedHoldsRow {
  holds: number;
  offers: number;
  messages: number;
}

/** Records the `booking.cancelled` webhook messages of the bookings $1 (ids), as they are now. */
export const BOOKINGS_CANCELLED_STATEMENT = `
WITH ${outboxMessages(`SELECT 'booking.cancelled' AS type, 'booking/' || b.id AS resource,
       ${bookingJson('b', 'tickets')} AS data
  FROM bookings b WHERE b.id = ANY ($1::int[])`)}
SELECT count(*)::int AS messages FROM messages`;

/**
 * Makes a waiting entry `offered` with its hold, and records its `waitlist.offered` webhook
 * message. $1 entry id, $2 hold id. Returns how many messages were written.
 */
export const OFFERED_STATEMENT = `
WITH entry AS (
  UPDATE waitlist_entries SET status = 'offered', hold_id = $2::int, updated_at = now() WHERE id = $1::int
  RETURNING *
), ${outboxMessages(`SELECT 'waitlist.offered' AS type, 'waitlist/' || entry.id AS resource, json_build_object(
  'id', entry.id, 'event_id', entry.event_id, 'user_id', entry.user_id, 'ticket_type_id', entry.ticket_type_id,
  'quantity', entry.quantity, 'status', entry.status, 'position', NULL, 'hold_id', entry.hold_id,
  'created_at', ${isoDateTime('entry.created_at')}, 'updated_at', ${isoDateTime('entry.updated_at')}) AS data
  FROM entry`)}
SELECT count(*)::int AS messages FROM messages`;

/** Events with active holds whose time is up, oldest first. */
export const DUE_EVENTS_QUERY = `
SELECT event_id AS id FROM holds WHERE status = 'active' AND expires_at <= now()
 GROUP BY event_id ORDER BY min(expires_at) LIMIT 100`;

/**
 * Why an event refused a sale, read after the sale returned no row: the event, whether it has
 * the ticket type asked for ($2, null: the default), the seats the event and the type have left
 * now (`type_available` null: no quota), and those of active holds whose time is up, which the
 * sale may reclaim. $1 event id.
 */
export const SALE_REFUSAL_QUERY = `
SELECT events.status, events.status = 'active' AND date_time > now() AS open,
       capacity - events.total_tickets_sold - events.total_tickets_held AS available,
       type.id AS ticket_type_id,
       type.quota - type.total_tickets_sold - type.total_tickets_held AS type_available,
       due.seats AS due, due.type_seats AS type_due
  FROM events
  LEFT JOIN ticket_types type
    ON type.event_id = events.id AND (type.id = $2::int OR $2::int IS NULL AND type.is_default)
 CROSS JOIN LATERAL (
       SELECT coalesce(sum(quantity), 0)::int AS seats,
              coalesce(sum(quantity) FILTER (WHERE ticket_type_id = type.id), 0)::int AS type_seats
         FROM holds WHERE event_id = events.id AND status = 'active' AND expires_at <= now()) due
 WHERE events.id = $1::int`;

export interface SaleRefusalRow {
  status: EventStatus;
  open: boolean;
  available: number;
  /** Null when the event has no such type. */
  ticket_type_id: number | null;
  type_available: number | null;
  due: number;
  type_due: number;
}

/**
 * The waiting entries of an event that the seats it has available could serve, in order of
 * arrival, with those seats (the same on every row) and what their ticket types have left (null:
 * no quota). No row when no one waits for what is there. $1 event id.
 */
export const WAITING_QUERY = `
SELECT w.id, w.user_id, w.ticket_type_id, w.quantity,
       e.capacity - e.total_tickets_sold - e.total_tickets_held AS available,
       t.quota - t.total_tickets_sold - t.total_tickets_held AS type_available
  FROM waitlist_entries w
  JOIN events e ON e.id = w.event_id
  JOIN ticket_types t ON t.id = w.ticket_type_id
 WHERE w.event_id = $1::int AND w.status = 'waiting'
   AND w.quantity <= e.capacity - e.total_tickets_sold - e.total_tickets_held
 ORDER BY w.id`;

export interface WaitingRow {
  id: number;
  user_id: number;
  ticket_type_id: number;
  quantity: number;
  available: number;
  type_available: number | null;
}
