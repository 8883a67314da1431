import { EventStatus } from '../events/entities/event.entity';
import { isoDateTime, outboxMessages } from '../webhooks/outbox';

/**
 * `text` as a named prepared statement, so that each connection plans it once rather than on
 * every sale: these statements take PostgreSQL longer to plan than to run. `pg` takes a query
 * config (`{ name, text }`) wherever it takes SQL, and TypeORM hands the query to it untouched.
 */
const prepared = (name: string, text: string) => ({ name, text }) as unknown as string;

/** An event row `e` is open for sale: active and not started. */
const isBookable = (e: string) => `${e}.status = 'active' AND ${e}.date_time > now()`;
/** The seats an event row `e` has neither sold nor held. */
const seatsLeft = (e: string) => `${e}.capacity - ${e}.total_tickets_sold - ${e}.total_tickets_held`;
/** The seats a ticket type row `t` has left of its quota; without a quota, more than any sale asks. */
const quotaLeft = (t: string) => `coalesce(${t}.quota - ${t}.total_tickets_sold - ${t}.total_tickets_held, 2147483647)`;
/** An active hold row `h` whose time is up, whether or not its seats were freed yet. */
const isDue = (h: string) => `${h}.status = 'active' AND ${h}.expires_at <= now()`;
/** A ticket's code from its booking's date-time and its random suffix: `TKT-YYYYMMDD-XXXXXXXX`. */
const ticketCode = (at: string, suffix: string) =>
  `'TKT-' || to_char(${at} AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || ${suffix}`;

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
  'order_id', ${b}.order_id, 'quantity', ${b}.quantity, 'total_amount', ${b}.total_amount::text, 'booking_date', ${isoDateTime(`${b}.booking_date`)},
  'status', ${b}.status, 'created_at', ${isoDateTime(`${b}.created_at`)}, 'updated_at', ${isoDateTime(`${b}.updated_at`)},
  'tickets', coalesce((SELECT json_agg(${ticketJson('t')} ORDER BY t.id) FROM ${tickets} t WHERE t.booking_id = ${b}.id), '[]'))`;

/** A hold as the API returns it (HoldResponseDto), from a row `h` of holds, for its webhook messages. */
const holdJson = (h: string) => `json_build_object(
  'id', ${h}.id, 'user_id', ${h}.user_id, 'event_id', ${h}.event_id, 'ticket_type_id', ${h}.ticket_type_id,
  'quantity', ${h}.quantity, 'total_amount', ${h}.total_amount::text, 'status', ${h}.status,
  'expires_at', ${isoDateTime(`${h}.expires_at`)}, 'booking_id', ${h}.booking_id,
  'created_at', ${isoDateTime(`${h}.created_at`)}, 'updated_at', ${isoDateTime(`${h}.updated_at`)})`;

/**
 * An order as the API returns it (OrderResponseDto), from a row `o` of orders, the rows of
 * `lines` (holds, or a CTE with their `order_id`, `line`, `ticket_type_id`, `quantity`,
 * `total_amount`, `discount_amount` and `booking_id`) and of `refunds` (the table, or a union with
 * new ones). A pending order whose time is up reads `expired`; `payment` is its latest, without
 * its client secret (see ORDER_QUERY); `promo_code` the code's text as its admin wrote it. The
 * API's reads and webhook messages both come from here, so an order has one shape.
 */
export const orderJson = (o: string, lines = 'holds', refunds = 'refunds') => `json_build_object(
  'id', ${o}.id, 'user_id', ${o}.user_id, 'event_id', ${o}.event_id,
  'status', CASE WHEN ${o}.status = 'pending' AND ${o}.expires_at <= now() THEN 'expired' ELSE ${o}.status::text END,
  'lines', (SELECT json_agg(json_build_object('ticket_type_id', l.ticket_type_id, 'quantity', l.quantity,
              'unit_price', ((l.total_amount + l.discount_amount) / l.quantity)::numeric(20, 2)::text,
              'discount_amount', l.discount_amount::text, 'amount', l.total_amount::text) ORDER BY l.line)
              FROM ${lines} l WHERE l.order_id = ${o}.id),
  'quantity', ${o}.quantity, 'subtotal_amount', ${o}.subtotal_amount::text,
  'discount_amount', ${o}.discount_amount::text, 'total_amount', ${o}.total_amount::text,
  'refunded_amount', ${o}.refunded_amount::text,
  'promo_code', (SELECT c.code FROM promo_codes c WHERE c.id = ${o}.promo_code_id),
  'expires_at', ${isoDateTime(`${o}.expires_at`)}, 'paid_at', ${isoDateTime(`${o}.paid_at`)},
  'payment', (SELECT json_build_object('provider', p.provider, 'status', p.status, 'reference', p.reference, 'client_secret', NULL)
                FROM payments p WHERE p.order_id = ${o}.id ORDER BY p.id DESC LIMIT 1),
  'booking_ids', coalesce((SELECT json_agg(l.booking_id ORDER BY l.line) FROM ${lines} l
                            WHERE l.order_id = ${o}.id AND l.booking_id IS NOT NULL), '[]'),
  'refunds', coalesce((SELECT json_agg(json_build_object('id', f.id, 'booking_id', f.booking_id, 'amount', f.amount::text,
                'status', f.status, 'reference', f.reference, 'created_at', ${isoDateTime('f.created_at')}) ORDER BY f.id)
                FROM ${refunds} f WHERE f.order_id = ${o}.id), '[]'),
  'created_at', ${isoDateTime(`${o}.created_at`)}, 'updated_at', ${isoDateTime(`${o}.updated_at`)})`;

/**
 * The counts of the event `e` and the ticket type `t` as read under their row locks, for WALK
 * (`event_id`, `event_left`, `type_left`) and for `counted`.
 */
const COUNTS = `e.id AS event_id, ${seatsLeft('e')} AS event_left, ${quotaLeft('t')} AS type_left, e.capacity, e.total_tickets_sold AS event_sold,
       e.total_tickets_held AS event_held, e.total_revenue AS event_revenue, e.total_bookings AS event_bookings, t.quota,
       t.total_tickets_sold AS type_sold, t.total_tickets_held AS type_held, t.total_revenue AS type_revenue`;

/**
 * The decision every change that takes seats shares (a sale, a hold, a confirmation): requests
 * that arrived together, of one event or several, each of one or more lines of its one event (a
 * ticket type and the seats it must take), decided per event in order of arrival exactly as one
 * statement each would be: a request is made when every line fits what its event and the line's
 * type have left after the requests of that event made before it (and the lines before it in the
 * request), and the uses it takes of its promo code fit what the code has left, else refused
 * whole, taking nothing. Events share nothing, so each event's requests are walked side by side.
 *
 * Expects the CTEs `locked`, one row per ticket type the requests name, read under the row locks
 * of the events (in id order), each then of its types (the lock order of every path), so its
 * counts are the latest (`event_id`, `event_left`, `ticket_type_id`, `name`, `price`,
 * `type_left`); an event that is not bookable has no row. `codes`, the promo codes the requests
 * use, read under their row locks after the types' (`code_id`, `uses`, `max_uses`). And `line`
 * (`n` its place among all lines, `r` its request's, `event_id`, `ticket_type_id` null when
 * `locked` has no such type the request may buy, `quantity`, `need` the seats it takes, `code_id`
 * and `uses` the uses it takes of that code, `problem` why the request's code cannot be used at
 * all, if so).
 * Makes `placed` (each line with its type's price and name, and `seats_before`: the quantities of
 * the lines before it, for ticket code suffixes) and `walk`: per request `r` decided, `made`, and
 * for a refusal its first line that did not fit (`short_n`) and the seats it found
 * (`seats_left`), or why its code could not be used (`problem`: `used up` with the uses it found,
 * `uses_left`). A request is not decided (no `walk` row) when a line's type is not locked, or two
 * of its lines are of one type.
 */
const WALK = `types AS (
  SELECT locked.*, row_number() OVER (PARTITION BY event_id ORDER BY ticket_type_id)::int AS idx FROM locked
), code_list AS (
  SELECT codes.*, row_number() OVER (ORDER BY code_id)::int AS cidx FROM codes
), placed AS (
  SELECT line.*, types.idx, types.name, types.price, code_list.cidx,
         (sum(line.quantity) OVER (ORDER BY line.n) - line.quantity)::int AS seats_before,
         (sum(line.need) OVER (PARTITION BY line.r ORDER BY line.n) - line.need)::int AS need_before
    FROM line LEFT JOIN types USING (ticket_type_id) LEFT JOIN code_list USING (code_id)
), queue AS (
  SELECT r, min(event_id) AS event_id, row_number() OVER (PARTITION BY min(event_id) ORDER BY r)::int AS k
    FROM placed GROUP BY r
  HAVING bool_and(idx IS NOT NULL) AND count(DISTINCT idx) = count(*)
), walk (event_id, k, r, event_left, type_left, code_left, made, short_n, seats_left, problem, uses_left) AS (
  SELECT event_id, 0, NULL::int, min(event_left), array_agg(type_left ORDER BY idx),
         ARRAY(SELECT coalesce(max_uses - uses, 2147483647) FROM code_list ORDER BY cidx),
         NULL::boolean, NULL::int, NULL::int, NULL::text, NULL::int
    FROM types GROUP BY event_id
  UNION ALL
  SELECT w.event_id, q.k, q.r, w.event_left - CASE WHEN d.fits THEN d.seats ELSE 0 END,
         CASE WHEN d.fits THEN ARRAY(
           SELECT w.type_left[i] - coalesce((SELECT sum(p.need) FROM placed p WHERE p.r = q.r AND p.idx = i), 0)::int
             FROM generate_subscripts(w.type_left, 1) i ORDER BY i) ELSE w.type_left END,
         CASE WHEN d.fits AND d.uses > 0 THEN ARRAY(
           SELECT w.code_left[i] - CASE WHEN i = d.cidx THEN d.uses ELSE 0 END
             FROM generate_subscripts(w.code_left, 1) i ORDER BY i) ELSE w.code_left END,
         d.fits, d.short_n, d.seats_left, d.problem, CASE WHEN d.problem = 'used up' THEN w.code_left[d.cidx] END
    FROM walk w JOIN queue q ON q.event_id = w.event_id AND q.k = w.k + 1
   CROSS JOIN LATERAL (
      SELECT a.seats_fit AND c.problem IS NULL AS fits, a.seats, a.short_n, a.seats_left, a.uses, a.cidx, c.problem
        FROM (SELECT bool_and(p.need <= s.seats) AS seats_fit, sum(p.need)::int AS seats,
                     min(p.n) FILTER (WHERE p.need > s.seats) AS short_n,
                     (array_agg(s.seats ORDER BY p.n) FILTER (WHERE p.need > s.seats))[1] AS seats_left,
                     sum(p.uses)::int AS uses, min(p.cidx) AS cidx, min(p.problem) AS problem
                FROM placed p
               CROSS JOIN LATERAL (SELECT greatest(0, least(w.type_left[p.idx], w.event_left - p.need_before)) AS seats) s
               WHERE p.r = q.r) a
       CROSS JOIN LATERAL (SELECT CASE WHEN a.problem IS NOT NULL THEN a.problem
                                       WHEN a.seats_fit AND a.uses > w.code_left[a.cidx] THEN 'used up' END AS problem) c) d
)`;

/**
 * Per-ticket discount of a line's type's price (`price`) by its request's promo code (`c`):
 * a percent rounded to the currency's minor unit ($10 its decimals), money off, or a price,
 * never below 0.00.
 */
const discountOf = (price: string, c: string) => `CASE ${c}.discount_type
  WHEN 'percent' THEN round(${price} * ${c}.discount_value / 100, $10::int)
  WHEN 'amount' THEN least(${c}.discount_value, ${price})
  ELSE greatest(${price} - ${c}.discount_value, 0) END`;

/**
 * `locked`'s row of the ticket type an `asked` line names of its event (none named: the default), when its
 * buyer may buy it: a hidden type only when `unlocked` (ticket type ids) names it.
 */
const lockedType = (unlocked: string) =>
  `locked.event_id = asked.event_id
     AND (locked.ticket_type_id = asked.ticket_type_id OR asked.ticket_type_id IS NULL AND locked.is_default)
     AND (NOT locked.hidden OR locked.ticket_type_id = ANY (${unlocked}))`;

/** `codes` and `line` for requests that use no promo code (see asked). */
const UNCODED_LINES = `codes AS (SELECT NULL::int AS code_id, 0 AS uses, NULL::int AS max_uses WHERE false), line AS (
  SELECT asked.n, asked.r, asked.event_id, asked.user_id, asked.quantity, asked.quantity AS need, locked.ticket_type_id,
         NULL::int AS code_id, 0 AS uses, NULL::text AS problem
    FROM asked LEFT JOIN locked ON ${lockedType('NULL::int[]')}
)`;

/** `codes`, `requested` and `line` for requests that may each use a promo code, the parameter `code` (see asked). */
const codedLines = (code: string) => `codes AS MATERIALIZED (
  SELECT c.id AS code_id, c.event_id, c.code, c.discount_type, c.discount_value, c.ticket_type_ids, c.uses, c.max_uses,
         c.active, c.valid_from, c.valid_until
    FROM promo_codes c
   WHERE c.event_id = ANY ($1::int[]) AND lower(c.code) = ANY (SELECT lower(x) FROM unnest(${code}::text[]) x)
     AND EXISTS (SELECT 1 FROM locked)
   ORDER BY c.id
     FOR UPDATE
), requested AS (
  SELECT q.r, codes.code_id, codes.code, codes.discount_type, codes.discount_value, codes.ticket_type_ids,
         CASE WHEN codes.code_id IS NULL THEN 'unknown' WHEN NOT codes.active THEN 'not active'
              WHEN codes.valid_from > now() THEN 'not yet valid' WHEN codes.valid_until <= now() THEN 'no longer valid' END AS problem
    FROM unnest(${code}::text[]) WITH ORDINALITY AS q(code, r)
    LEFT JOIN codes ON lower(codes.code) = lower(q.code)
     AND codes.event_id = (SELECT asked.event_id FROM asked WHERE asked.r = q.r LIMIT 1)
   WHERE q.code IS NOT NULL
), typed AS (
  SELECT asked.n, asked.r, asked.event_id, asked.user_id, asked.quantity, asked.quantity AS need, locked.ticket_type_id,
         requested.code_id, requested.r IS NOT NULL AS coded, requested.problem,
         CASE WHEN requested.code_id IS NOT NULL AND locked.ticket_type_id IS NOT NULL
               AND (requested.ticket_type_ids IS NULL OR locked.ticket_type_id = ANY (requested.ticket_type_ids))
              THEN asked.quantity ELSE 0 END AS uses
    FROM asked LEFT JOIN requested USING (r) LEFT JOIN locked ON ${lockedType('requested.ticket_type_ids')}
), line AS (
  SELECT typed.n, typed.r, typed.event_id, typed.user_id, typed.quantity, typed.need, typed.ticket_type_id, typed.code_id,
         typed.uses,
         CASE WHEN typed.coded AND typed.problem IS NULL AND sum(typed.uses) OVER (PARTITION BY typed.r) = 0
              THEN 'for none of its ticket types' ELSE typed.problem END AS problem
    FROM typed
)`;

/**
 * The start of a sale or hold statement: `locked`, `codes` and `line` for WALK from the requests'
 * lines, and `due`, per event, whether it has holds whose time is up. Per line, in order: $1 its
 * event's id, $2 its request's ordinal, $3 the buyer's user id, $4 its ticket type id (null: the
 * event's default), $5 its quantity. The events are locked in id order, each then its types. With
 * `code` (the parameter of each request's promo code, null: none), `requested`: per request with
 * a code, the code of its event locked, or `problem` (unknown, not active, not yet valid, no longer
 * valid; `line` adds for none of its ticket types); a hidden type is a type only for a request
 * whose code names it. Without, no request uses a code, and no hidden type is a type.
 */
const asked = (code?: string) => `
WITH RECURSIVE asked AS (
  SELECT a.n::int, a.r, a.event_id, a.user_id, a.ticket_type_id, a.quantity
    FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::int[])
         WITH ORDINALITY AS a(event_id, r, user_id, ticket_type_id, quantity, n)
), locked AS MATERIALIZED (
  SELECT ${COUNTS}, t.id AS ticket_type_id, t.is_default, t.hidden, t.name, t.price
    FROM events e JOIN ticket_types t ON t.event_id = e.id
   WHERE e.id = ANY ($1::int[]) AND ${isBookable('e')}
     AND EXISTS (SELECT 1 FROM asked a
                  WHERE a.event_id = e.id AND (t.id = a.ticket_type_id OR a.ticket_type_id IS NULL AND t.is_default))
   ORDER BY e.id, t.id
     FOR UPDATE OF e, t
), ${code === undefined ? UNCODED_LINES : codedLines(code)}, due AS (
  SELECT x.event_id, EXISTS (SELECT 1 FROM holds h WHERE h.event_id = x.event_id AND ${isDue('h')}) AS due
    FROM (SELECT DISTINCT event_id FROM asked) x
), ${WALK}`;

/**
 * Counts the uses `made` takes (per line: `code_id`, `uses`) of each promo code, from `uses` as
 * `codes` read it under the code's row lock (see `counted`).
 */
const usesCounted = (made: string) => `uses_counted AS (
  UPDATE promo_codes SET uses = codes.uses + u.uses
    FROM (SELECT code_id, sum(uses)::int AS uses FROM ${made} WHERE uses > 0 GROUP BY code_id) u JOIN codes USING (code_id)
   WHERE promo_codes.id = u.code_id
)`;

/** Gives back the promo code uses of `orders` (rows of orders whose lines ended, or that were refunded once paid). */
const usesGivenBack = (orders: string) => `uses_given_back AS (
  UPDATE promo_codes SET uses = promo_codes.uses - u.uses
    FROM (SELECT promo_code_id, sum(promo_code_uses)::int AS uses FROM ${orders} ended
           WHERE promo_code_uses > 0 GROUP BY promo_code_id) u
   WHERE promo_codes.id = u.promo_code_id
)`;

/**
 * Counts what `made` takes (per line: `event_id`, `ticket_type_id`, `sold` and `held` seats,
 * `revenue`, `bookings`) on each event and each ticket type. The new counts are written from those
 * `locked` read under the row locks (COUNTS), not added to the row the statement's snapshot saw:
 * PostgreSQL checks an UPDATE's constraints on the row it computed from that snapshot before it
 * finds a concurrent change, which would fail chk_events_sold_held for a sale that fits.
 */
const counted = (made: string) => `event_counted AS (
  UPDATE events
     SET capacity = l.capacity, total_tickets_sold = l.event_sold + c.sold, total_tickets_held = l.event_held + c.held,
         total_revenue = l.event_revenue + c.revenue, total_bookings = l.event_bookings + c.bookings, updated_at = now()
    FROM (SELECT event_id, sum(sold)::int AS sold, sum(held)::int AS held, sum(revenue) AS revenue,
                 sum(bookings)::int AS bookings
            FROM ${made} GROUP BY event_id) c
    JOIN (SELECT DISTINCT ON (event_id) * FROM locked ORDER BY event_id) l USING (event_id)
   WHERE events.id = c.event_id
), type_counted AS (
  UPDATE ticket_types
     SET quota = l.quota, total_tickets_sold = l.type_sold + c.sold, total_tickets_held = l.type_held + c.held,
         total_revenue = l.type_revenue + c.revenue, updated_at = now()
    FROM (SELECT ticket_type_id, sum(sold)::int AS sold, sum(held)::int AS held, sum(revenue) AS revenue
            FROM ${made} GROUP BY ticket_type_id) c JOIN locked l USING (ticket_type_id)
   WHERE ticket_types.id = c.ticket_type_id
)`;

/**
 * The bookings of `made` (one per line: `booking_id` drawn up front, `user_id`, `event_id`, `ticket_type_id`,
 * `order_id`, `quantity`, `total_amount`, `seats_before`), one ticket per seat (the code
 * suffixes in the parameter `suffixes`, line after line) and each booking's `booking.confirmed`
 * message, with `moreMessages` (a `UNION ALL SELECT` of more): CTEs `booking`, `issued` and
 * `messages`. A duplicate ticket code aborts the whole statement.
 */
const bookingsOf = (suffixes: string, moreMessages = '') => `booking AS (
  INSERT INTO bookings (id, user_id, event_id, ticket_type_id, order_id, quantity, total_amount)
  SELECT booking_id, user_id, event_id, ticket_type_id, order_id, quantity, total_amount FROM made ORDER BY n
  RETURNING *
), issued AS (
  INSERT INTO tickets (booking_id, ticket_code)
  SELECT made.booking_id, ${ticketCode('now()', `(${suffixes}::text[])[made.seats_before + i]`)}
    FROM made CROSS JOIN generate_series(1, made.quantity) i
   ORDER BY made.n, i
  RETURNING *
), ${outboxMessages(`SELECT 'booking.confirmed' AS type, 'booking/' || booking.id AS resource,
       ${bookingJson('booking', 'issued')} AS data FROM booking${moreMessages}`)}`;

/** Per line, in order: its request's decision, and, when made, its booking with its tickets. */
const BOOKED = `SELECT placed.n, placed.r, walk.made, walk.short_n, walk.seats_left, walk.problem, walk.uses_left, placed.name,
       booking.id, booking.ticket_type_id, booking.order_id, booking.total_amount::text, booking.booking_date,
       (SELECT array_agg(id ORDER BY id) FROM issued WHERE issued.booking_id = booking.id) AS ticket_ids,
       (SELECT array_agg(ticket_code ORDER BY id) FROM issued WHERE issued.booking_id = booking.id) AS ticket_codes,
       (SELECT count(*)::int FROM messages) AS messages`;

/**
 * Sales that arrived together, of one event or several (see SeatLedger.sell, SaleBatcher), each
 * one booking per line: one lock of each event and its types, one round trip, one commit. $6
 * every ticket's code suffix, line after line. One row per line, in order (see BOOKED), with its
 * event's `due`.
 */
export const SALE_STATEMENT = prepared(
  'sale',
  `${asked()}, made AS MATERIALIZED (
  SELECT p.n, p.user_id, p.event_id, p.ticket_type_id, NULL::int AS order_id, p.quantity, p.seats_before,
         nextval('bookings_id_seq')::int AS booking_id,
         p.price * p.quantity AS total_amount, p.quantity AS sold, 0 AS held, p.price * p.quantity AS revenue, 1 AS bookings
    FROM placed p JOIN walk USING (r) WHERE walk.made ORDER BY p.n
), ${counted('made')}, ${bookingsOf('$6')}
${BOOKED}, due.due
  FROM placed LEFT JOIN walk USING (r) LEFT JOIN made USING (n) LEFT JOIN booking ON booking.id = made.booking_id
  JOIN due ON due.event_id = placed.event_id
 ORDER BY placed.n`,
);

/**
 * Checkout holds (or, $7, waiting-list offers) that arrived together, of one event or several, some of them
 * orders ($8, per request), one hold per line, each active for $6 seconds, with its `hold.created` message;
 * counted as held. An order is a request whose holds are its lines (`order_id`, `line`), made
 * with them, in `pending` until they expire (its `order.created` message instead of theirs).
 * An order may use a promo code ($9, per request; null: none): each line of the code's types
 * is discounted per ticket (see discountOf, $10) and takes a use per ticket, counted in the
 * code's `uses` with the seats. One row per line, in order: its request's decision, `due`, and,
 * when made, the hold (and the order as the API returns it). A second active hold of one user
 * for the event (not an offer) aborts the whole statement (uq_holds_active_user_event).
 */
export const HOLD_STATEMENT = prepared(
  'hold',
  `${asked('$9')}, ordered AS MATERIALIZED (
  SELECT r, nextval('orders_id_seq')::int AS order_id FROM walk WHERE walk.made AND ($8::boolean[])[r] ORDER BY r
), made AS MATERIALIZED (
  SELECT p.n, p.user_id, p.event_id, p.ticket_type_id, p.quantity, nextval('holds_id_seq')::int AS id, ordered.order_id,
         row_number() OVER (PARTITION BY p.r ORDER BY p.n)::int AS line, p.price * p.quantity - d.discount AS total_amount,
         d.discount AS discount_amount, p.code_id, p.uses, 0 AS sold, p.quantity AS held, 0 AS revenue, 0 AS bookings
    FROM placed p JOIN walk USING (r) LEFT JOIN ordered USING (r) LEFT JOIN requested c USING (r)
   CROSS JOIN LATERAL (SELECT CASE WHEN p.uses > 0 THEN p.uses * ${discountOf('p.price', 'c')} ELSE 0 END AS discount) d
   WHERE walk.made ORDER BY p.n
), ${counted('made')}, ${usesCounted('made')}, placed_order AS (
  INSERT INTO orders (id, user_id, event_id, quantity, subtotal_amount, discount_amount, total_amount, promo_code_id,
                      promo_code_uses, expires_at)
  SELECT order_id, min(user_id), min(event_id), sum(quantity), sum(total_amount + discount_amount), sum(discount_amount),
         sum(total_amount), min(code_id), sum(uses), now() + make_interval(secs => $6::int)
    FROM made WHERE order_id IS NOT NULL GROUP BY order_id
  RETURNING *
), hold AS (
  INSERT INTO holds (id, user_id, event_id, ticket_type_id, order_id, line, quantity, total_amount, discount_amount,
                     expires_at, offer)
  SELECT id, user_id, event_id, ticket_type_id, order_id, line, quantity, total_amount, discount_amount,
         now() + make_interval(secs => $6::int), $7::boolean
    FROM made ORDER BY n
  RETURNING *
), ${outboxMessages(`SELECT 'hold.created' AS type, 'hold/' || hold.id AS resource, ${holdJson('hold')} AS data
  FROM hold WHERE order_id IS NULL
 UNION ALL
SELECT 'order.created', 'order/' || o.id, ${orderJson('o', 'hold')} FROM placed_order o`)}
SELECT placed.n, placed.r, walk.made, walk.short_n, walk.seats_left, walk.problem, walk.uses_left, placed.name, due.due,
       hold.id, hold.ticket_type_id, hold.quantity, hold.total_amount::text, hold.expires_at, hold.created_at,
       hold.order_id, hold.line, made.uses,
       (SELECT ${orderJson('o', 'hold')} FROM placed_order o WHERE o.id = hold.order_id) AS "order",
       (SELECT count(*)::int FROM messages) AS messages
  FROM placed LEFT JOIN walk USING (r) LEFT JOIN made USING (n) LEFT JOIN hold ON hold.id = made.id
  JOIN due ON due.event_id = placed.event_id
 ORDER BY placed.n`,
);

/**
 * Confirmations of holds that arrived together (see SeatLedger.confirm), each a request of one
 * or more holds of one event confirmed together or not at all: one lock of each event (in id
 * order), then of its holds' ticket types and the holds (the lock order of every path), one
 * round trip, one commit.
 * An active hold's seats are counted as held already and move to sold; an expired hold's (not
 * an expired waiting-list offer's, whose seats were passed on) are taken again when the event
 * and its type have them, at the hold's amount. Each hold gets its booking and tickets and is
 * marked confirmed, the waiting-list entry it was offered to fulfilled, the order whose lines
 * they are paid (its `order.paid` message). A request with a hold
 * neither active nor expired, or asked for before in the batch, or of an event that is not
 * bookable, is not decided here.
 *
 * With $6 (a provider's late payment) the seats of released holds and expired offers are taken
 * again too, when the event and its types have them. An order that ended takes its promo code's
 * uses again, when the code has them left, or is not paid.
 *
 * Per hold, in order: $1 its event's id, $2 its request's ordinal, $3 its id, $4 its quantity;
 * $5 every ticket's code suffix, hold after hold. One row per hold (see BOOKED), with the order
 * it paid as the API returns it.
 */
export const CONFIRM_STATEMENT = prepared(
  'confirm',
  `
WITH RECURSIVE asked AS (
  SELECT a.n::int, a.r, a.hold_id, a.quantity FROM unnest($2::int[], $3::int[], $4::int[]) WITH ORDINALITY AS a(r, hold_id, quantity, n)
), held AS MATERIALIZED (
  SELECT h.id, h.status, h.user_id, h.ticket_type_id, h.order_id, h.line, h.total_amount, h.discount_amount, ${COUNTS},
         t.name, t.price
    FROM events e JOIN ticket_types t ON t.event_id = e.id JOIN holds h ON h.ticket_type_id = t.id
   WHERE e.id = ANY ($1::int[]) AND ${isBookable('e')} AND h.event_id = e.id AND h.id = ANY ($3::int[])
     AND (h.status = 'active' OR h.status = 'expired' AND NOT h.offer OR $6::boolean AND h.status IN ('expired', 'released'))
   ORDER BY e.id, t.id, h.id
     FOR UPDATE OF e, t, h
), locked AS (
  SELECT DISTINCT ON (ticket_type_id) * FROM held ORDER BY ticket_type_id
), retaken AS (
  SELECT held.id AS hold_id, o.promo_code_id AS code_id, o.promo_code_uses AS uses
    FROM held JOIN orders o ON o.id = held.order_id
   WHERE held.status <> 'active' AND held.line = 1 AND o.promo_code_uses > 0
), codes AS MATERIALIZED (
  SELECT c.id AS code_id, c.uses, c.max_uses FROM promo_codes c
   WHERE c.id IN (SELECT code_id FROM retaken)
   ORDER BY c.id
     FOR UPDATE
), line AS (
  SELECT a.n, a.r, a.hold_id, a.quantity, held.event_id, held.user_id, held.ticket_type_id, held.order_id, held.line,
         held.total_amount, held.discount_amount, CASE held.status WHEN 'active' THEN 0 ELSE a.quantity END AS need,
         retaken.code_id, coalesce(retaken.uses, 0) AS uses, NULL::text AS problem
    FROM asked a LEFT JOIN held ON held.id = a.hold_id AND a.n = (SELECT min(n) FROM asked first WHERE first.hold_id = a.hold_id)
    LEFT JOIN retaken ON retaken.hold_id = held.id
), ${WALK}, made AS MATERIALIZED (
  SELECT p.n, p.hold_id, p.user_id, p.event_id, p.ticket_type_id, p.order_id, p.line, p.quantity, p.seats_before,
         p.total_amount, p.discount_amount, p.code_id, p.uses, nextval('bookings_id_seq')::int AS booking_id,
         p.quantity AS sold, p.need - p.quantity AS held, p.total_amount AS revenue, 1 AS bookings
    FROM placed p JOIN walk USING (r) WHERE walk.made ORDER BY p.n
), ${counted('made')}, ${usesCounted('made')}, paid AS (
  UPDATE orders SET status = 'paid', paid_at = now(), updated_at = now()
    FROM (SELECT DISTINCT order_id FROM made WHERE order_id IS NOT NULL) m
   WHERE orders.id = m.order_id
  RETURNING orders.*
), ${bookingsOf(
    '$5',
    `
 UNION ALL
SELECT 'order.paid', 'order/' || o.id, ${orderJson('o', 'made')} FROM paid o`,
  )}, confirmed AS (
  UPDATE holds SET status = 'confirmed', booking_id = made.booking_id, updated_at = now()
    FROM made WHERE holds.id = made.hold_id
), fulfilled AS (
  UPDATE waitlist_entries SET status = 'fulfilled', updated_at = now()
    FROM made WHERE waitlist_entries.hold_id = made.hold_id AND waitlist_entries.status = 'offered'
)
${BOOKED}, (SELECT ${orderJson('o', 'made')} FROM paid o WHERE o.id = made.order_id) AS "order"
  FROM placed LEFT JOIN walk USING (r) LEFT JOIN made USING (n) LEFT JOIN booking ON booking.id = made.booking_id
 ORDER BY placed.n`,
);

/** A line's row from a statement above: its request's decision. */
export interface Decision {
  n: number;
  r: number;
  /** Null when nothing was decided: the event is not bookable, has no such type, or a hold was neither active nor expired. */
  made: boolean | null;
  /** For a refusal: the first line of the request that did not fit, and the seats it found. */
  short_n: number | null;
  seats_left: number | null;
  /** For a refusal for its promo code: why (unknown, inactive, ..., used up), and for `used up` the uses it found. */
  problem: string | null;
  uses_left: number | null;
  /** The line's ticket type's name. */
  name: string | null;
  messages: number;
}

export interface BookedRow extends Decision {
  id: number | null;
  ticket_type_id: number;
  order_id: number | null;
  total_amount: string;
  booking_date: Date;
  ticket_ids: number[];
  ticket_codes: string[];
}

/** A confirmation's row: the booking, and the order its hold's confirmation paid, when it is an order's line. */
export interface ConfirmedRow extends BookedRow {
  order: object | null;
}

/** A sale's row: whether the event has holds whose time is up, and the booking. */
export interface SoldRow extends BookedRow {
  due: boolean;
}

export interface HeldRow extends Decision {
  due: boolean;
  id: number | null;
  order_id: number | null;
  line: number;
  /** The order as the API returns it, on an order's lines. */
  order: object | null;
  /** The uses of its order's promo code the line took. */
  uses: number;
  ticket_type_id: number;
  quantity: number;
  total_amount: string;
  expires_at: Date;
  created_at: Date;
}

/**
 * Ends the active holds `condition` picks ($1 its parameter) with status $2, and gives their
 * seats back to their events and ticket types; the waiting-list entries whose offers they were
 * become `expired`, the pending orders whose lines they are `expired` or `cancelled`, and the
 * promo code uses of those orders go back (uses are held while an order's lines are); each hold's
 * `hold.released` or `hold.expired` webhook message is recorded (an order's `order.expired` or
 * `order.cancelled` for its lines). Returns, per event, how many of its holds (not order lines)
 * ended, and how many of those were offers, and (on every row) how many orders ended and how
 * many webhook messages were written. The caller holds the events' row locks;
 * `status = 'active'` makes a second end of the same hold a no-op.
 */
const endHolds = (condition: string) => `
WITH ended AS (
  UPDATE holds SET status = $2::hold_status, updated_at = now()
   WHERE status = 'active' AND ${condition}
  RETURNING *
), lapsed AS (
  UPDATE waitlist_entries SET status = 'expired', updated_at = now()
    FROM ended WHERE waitlist_entries.hold_id = ended.id AND waitlist_entries.status = 'offered'
), ended_order AS (
  UPDATE orders SET status = CASE $2::text WHEN 'expired' THEN 'expired' ELSE 'cancelled' END::order_status,
         updated_at = now()
    FROM (SELECT DISTINCT order_id FROM ended WHERE order_id IS NOT NULL) e
   WHERE orders.id = e.order_id AND orders.status = 'pending'
  RETURNING orders.*
), types AS (
  UPDATE ticket_types SET total_tickets_held = total_tickets_held - freed.seats, updated_at = now()
    FROM (SELECT ticket_type_id, sum(quantity)::int AS seats FROM ended GROUP BY ticket_type_id) freed
   WHERE ticket_types.id = freed.ticket_type_id
), ${usesGivenBack('(SELECT o.* FROM ended JOIN orders o ON o.id = ended.order_id WHERE ended.line = 1)')},
${outboxMessages(`SELECT 'hold.' || ended.status AS type, 'hold/' || ended.id AS resource, ${holdJson('ended')} AS data
  FROM ended WHERE order_id IS NULL
 UNION ALL
SELECT 'order.' || o.status, 'order/' || o.id, ${orderJson('o')} FROM ended_order o`)}
UPDATE events SET total_tickets_held = total_tickets_held - freed.seats, updated_at = now()
  FROM (SELECT event_id, count(*) FILTER (WHERE order_id IS NULL)::int AS holds,
               count(*) FILTER (WHERE offer)::int AS offers, sum(quantity)::int AS seats
          FROM ended GROUP BY event_id) freed
 WHERE events.id = freed.event_id
RETURNING freed.holds, freed.offers, (SELECT count(*)::int FROM ended_order) AS orders,
          (SELECT count(*)::int FROM messages) AS messages`;

/** Ends one hold; $1 the hold id. */
export const END_HOLD_STATEMENT = endHolds('id = $1::int');
/** Ends an event's holds whose time is up; $1 the event id. */
export const END_DUE_HOLDS_STATEMENT = endHolds(`event_id = $1::int AND expires_at <= now()`);
/** Ends all of an event's active holds; $1 the event id. */
export const END_EVENT_HOLDS_STATEMENT = endHolds('event_id = $1::int');
/** Ends an order's lines; $1 the order id. */
export const END_ORDER_STATEMENT = endHolds('order_id = $1::int');

export interface EndedHoldsRow {
  holds: number;
  offers: number;
  orders: number;
  messages: number;
}

/** Records the `booking.cancelled` webhook messages of the bookings $1 (ids), as they are now. */
export const BOOKINGS_CANCELLED_STATEMENT = `
WITH ${outboxMessages(`SELECT 'booking.cancelled' AS type, 'booking/' || b.id AS resource,
       ${bookingJson('b', 'tickets')} AS data
  FROM bookings b WHERE b.id = ANY ($1::int[])`)}
SELECT count(*)::int AS messages FROM messages`;

/**
 * Refunds the bookings $1 (ids) just cancelled that are lines of paid orders, unless $2 is false
 * (their money went back already, outside the API): each gets a refund of its amount, from the
 * payment that paid its order. A Stripe payment's refund is `pending`, for the RefundDispatcher
 * to send; otherwise (a manual payment, no provider) it is `succeeded` at once: the money goes
 * back outside the API. The order's `refunded_amount` grows, and an order none of whose bookings
 * is confirmed any more becomes `refunded`, with its `order.refunded` message, and gives its
 * promo code's uses back. Returns how many
 * orders were refunded and how many messages were written.
 */
export const REFUNDS_STATEMENT = `
WITH cancelled AS (
  SELECT b.id, b.order_id, b.total_amount, p.id AS payment_id, p.provider = 'stripe' AS sent
    FROM bookings b
    LEFT JOIN LATERAL (SELECT id, provider FROM payments WHERE order_id = b.order_id AND status = 'succeeded'
                        ORDER BY id DESC LIMIT 1) p ON true
   WHERE b.id = ANY ($1::int[]) AND b.order_id IS NOT NULL
), refund AS (
  INSERT INTO refunds (order_id, booking_id, amount, status, payment_id, next_attempt_at)
  SELECT order_id, id, total_amount, CASE WHEN sent THEN 'pending' ELSE 'succeeded' END::refund_status, payment_id,
         CASE WHEN sent THEN now() END
    FROM cancelled WHERE total_amount > 0 AND $2::boolean ORDER BY id
  RETURNING *
), refunded AS (
  UPDATE orders o
     SET refunded_amount = o.refunded_amount + c.amount, updated_at = now(),
         status = CASE WHEN EXISTS (SELECT 1 FROM bookings b WHERE b.order_id = o.id AND b.status = 'confirmed')
                       THEN o.status ELSE 'refunded' END
    FROM (SELECT order_id, CASE WHEN $2::boolean THEN sum(total_amount) ELSE 0 END AS amount
            FROM cancelled GROUP BY order_id) c, orders was
   WHERE o.id = c.order_id AND was.id = o.id
  RETURNING o.*, was.status = 'paid' AND o.status = 'refunded' AS ended
), ${usesGivenBack('(SELECT * FROM refunded WHERE ended)')}, ${outboxMessages(`SELECT 'order.refunded' AS type, 'order/' || o.id AS resource,
       ${orderJson('o', 'holds', '(SELECT * FROM refunds UNION ALL SELECT * FROM refund)')} AS data
  FROM refunded o WHERE o.status = 'refunded'`)}
SELECT (SELECT count(*)::int FROM refunded WHERE status = 'refunded') AS orders, (SELECT count(*)::int FROM messages) AS messages`;

/**
 * Makes waiting entries `offered` with their holds (and orders, for an offer to pay), and records
 * their `waitlist.offered` webhook messages. $1 entry ids, $2 their holds' ids, $3 their orders'
 * ids (null: none). Returns how many messages were written.
 */
export const OFFERED_STATEMENT = `
WITH entry AS (
  UPDATE waitlist_entries SET status = 'offered', hold_id = o.hold_id, order_id = o.order_id, updated_at = now()
    FROM unnest($1::int[], $2::int[], $3::int[]) AS o(id, hold_id, order_id)
   WHERE waitlist_entries.id = o.id
  RETURNING waitlist_entries.*
), ${outboxMessages(`SELECT 'waitlist.offered' AS type, 'waitlist/' || entry.id AS resource, json_build_object(
  'id', entry.id, 'event_id', entry.event_id, 'user_id', entry.user_id, 'ticket_type_id', entry.ticket_type_id,
  'quantity', entry.quantity, 'status', entry.status, 'position', NULL, 'hold_id', entry.hold_id, 'order_id', entry.order_id,
  'created_at', ${isoDateTime('entry.created_at')}, 'updated_at', ${isoDateTime('entry.updated_at')}) AS data
  FROM entry`)}
SELECT count(*)::int AS messages FROM messages`;

/** Events with active holds whose time is up, oldest first. */
export const DUE_EVENTS_QUERY = `
SELECT event_id AS id FROM holds h WHERE ${isDue('h')}
 GROUP BY event_id ORDER BY min(expires_at) LIMIT 100`;

/**
 * Why an event refused a sale, as it is now: the event, whether it has the ticket type asked
 * for ($2, null: the default; a hidden type only when the promo code $3 names it), and the seats
 * the event and the type have left. $1 event id.
 */
export const BOOKABLE_QUERY = `
SELECT e.status, ${isBookable('e')} AS open, ${seatsLeft('e')} AS event_left,
       t.id AS ticket_type_id, ${quotaLeft('t')} AS type_left
  FROM events e
  LEFT JOIN ticket_types t ON t.event_id = e.id AND (t.id = $2::int OR $2::int IS NULL AND t.is_default)
   AND (NOT t.hidden OR t.id = ANY ((SELECT c.ticket_type_ids FROM promo_codes c
                                       WHERE c.event_id = e.id AND lower(c.code) = lower($3::text))::int[]))
 WHERE e.id = $1::int`;
/**
 * The waiting entries of an event that the seats it has available could serve, in order of
 * arrival, and whether their type is priced. No row when no one waits for what is there. $1 event id.
 */
export const WAITING_QUERY = `
SELECT w.id, w.user_id, w.ticket_type_id, w.quantity, t.price > 0 AS priced
  FROM waitlist_entries w JOIN events e ON e.id = w.event_id JOIN ticket_types t ON t.id = w.ticket_type_id
 WHERE w.event_id = $1::int AND w.status = 'waiting' AND w.quantity <= ${seatsLeft('e')}
 ORDER BY w.id`;

export interface BookableRow {
  status: EventStatus;
  open: boolean;
  event_left: number;
  /** Null when the event has no such type. */
  ticket_type_id: number | null;
  type_left: number;
}

export interface WaitingRow {
  id: number;
  user_id: number;
  ticket_type_id: number;
  quantity: number;
  priced: boolean;
}

/**
 * An order as the API returns it (see orderJson), and the client secret of its latest payment
 * while that can still be paid, for its owner; $1 its id. No row when there is none.
 */
export const ORDER_QUERY = `
SELECT ${orderJson('o')} AS "order",
       (SELECT p.client_secret FROM payments p WHERE p.order_id = o.id ORDER BY p.id DESC LIMIT 1) AS client_secret
  FROM orders o WHERE o.id = $1::int`;
