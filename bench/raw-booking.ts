import { Pool } from 'pg';
import { generateTicketCode } from '../src/modules/tickets/ticket-code';

/**
 * The booking transaction as plain SQL through `pg`, with nothing around it: the ceiling
 * PostgreSQL sets for the API's POST /bookings.
 */
export async function bookRaw(pool: Pool, userId: number, eventId: number, quantity: number): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `SELECT price, capacity - total_tickets_sold AS available, status = 'active' AND date_time > now() AS open
         FROM events WHERE id = $1 FOR UPDATE`,
      [eventId],
    );
    if (rows.length === 0 || !rows[0].open || rows[0].available < quantity) {
      await client.query('ROLLBACK');
      return false;
    }
    const {
      rows: [booking],
    } = await client.query(
      `INSERT INTO bookings (user_id, event_id, quantity, total_amount) VALUES ($1, $2, $3, $4::numeric * $3::int)
       RETURNING id, booking_date, total_amount`,
      [userId, eventId, quantity, rows[0].price],
    );
    const codes = Array.from({ length: quantity }, () => generateTicketCode(booking.booking_date));
    await client.query(
      `INSERT INTO tickets (booking_id, ticket_code) SELECT $1, unnest($2::varchar[]) RETURNING *`,
      [booking.id, codes],
    );
    await client.query(
      `UPDATE events SET total_tickets_sold = total_tickets_sold + $2, total_revenue = total_revenue + $3,
              total_bookings = total_bookings + 1, updated_at = now() WHERE id = $1`,
      [eventId, quantity, booking.total_amount],
    );
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
