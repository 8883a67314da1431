import { DataSource } from 'typeorm';

/**
 * Events whose counters differ from the aggregates over their confirmed bookings and active
 * holds (should be none).
 */
export function eventsWithWrongCounters(db: DataSource, eventIds?: number[]): Promise<unknown[]> {
  return db.query(
    `SELECT e.id, e.total_tickets_sold, e.total_tickets_held, e.total_revenue, e.total_bookings,
            b.sold, h.held, b.revenue, b.n
       FROM events e
       LEFT JOIN (SELECT event_id, sum(quantity) AS sold, sum(total_amount) AS revenue, count(*) AS n
                    FROM bookings WHERE status = 'confirmed' GROUP BY event_id) b ON b.event_id = e.id
       LEFT JOIN (SELECT event_id, sum(quantity) AS held FROM holds WHERE status = 'active' GROUP BY event_id) h
              ON h.event_id = e.id
      WHERE ($1::int[] IS NULL OR e.id = ANY($1))
        AND (e.total_tickets_sold <> coalesce(b.sold, 0)
          OR e.total_tickets_held <> coalesce(h.held, 0)
          OR e.total_revenue <> coalesce(b.revenue, 0)
          OR e.total_bookings <> coalesce(b.n, 0))`,
    [eventIds ?? null],
  );
}

/**
 * Ticket types whose counters differ from the aggregates over their confirmed bookings and active
 * holds, or that have more sold and held than their quota (should be none).
 */
export function ticketTypesWithWrongCounters(db: DataSource, eventIds?: number[]): Promise<unknown[]> {
  return db.query(
    `SELECT t.id, t.quota, t.total_tickets_sold, t.total_tickets_held, t.total_revenue, b.sold, h.held, b.revenue
       FROM ticket_types t
       LEFT JOIN (SELECT ticket_type_id, sum(quantity) AS sold, sum(total_amount) AS revenue
                    FROM bookings WHERE status = 'confirmed' GROUP BY ticket_type_id) b ON b.ticket_type_id = t.id
       LEFT JOIN (SELECT ticket_type_id, sum(quantity) AS held FROM holds WHERE status = 'active' GROUP BY ticket_type_id) h
              ON h.ticket_type_id = t.id
      WHERE ($1::int[] IS NULL OR t.event_id = ANY($1))
        AND (t.total_tickets_sold + t.total_tickets_held > t.quota
          OR t.total_tickets_sold <> coalesce(b.sold, 0)
          OR t.total_tickets_held <> coalesce(h.held, 0)
          OR t.total_revenue <> coalesce(b.revenue, 0))`,
    [eventIds ?? null],
  );
}

/**
 * Promo codes whose `uses` differ from the tickets of the pending and paid orders that used them,
 * or pass `max_uses` (should be none).
 */
export function promoCodesWithWrongUses(db: DataSource, eventIds?: number[]): Promise<unknown[]> {
  return db.query(
    `SELECT c.id, c.uses, c.max_uses, o.uses AS counted
       FROM promo_codes c
       LEFT JOIN (SELECT promo_code_id, sum(promo_code_uses) AS uses FROM orders
                   WHERE status IN ('pending', 'paid') GROUP BY promo_code_id) o ON o.promo_code_id = c.id
      WHERE ($1::int[] IS NULL OR c.event_id = ANY($1))
        AND (c.uses > c.max_uses OR c.uses <> coalesce(o.uses, 0))`,
    [eventIds ?? null],
  );
}
