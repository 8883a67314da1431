import { Pool } from 'pg';
import { SALE_STATEMENT } from '../src/modules/seats/sale.statement';
import { generateTicketSuffix } from '../src/modules/tickets/ticket-code';

/**
 * The API's booking statement for one booking (a batch of one, of the event's default ticket
 * type) through `pg` with nothing around it (no HTTP, auth, validation or ORM): the ceiling
 * PostgreSQL sets for POST /bookings one statement per booking. A ticket code collision, which a full
 * run of a few hundred thousand tickets a day meets a few times in a hundred runs, is drawn
 * again, as the API does.
 */
export async function bookRaw(pool: Pool, userId: number, eventId: number, quantity: number): Promise<void> {
  for (;;) {
    const suffixes = Array.from({ length: quantity }, generateTicketSuffix);
    try {
      await pool.query(SALE_STATEMENT, [eventId, [1], [userId], [null], [quantity], suffixes]);
      return;
    } catch (error) {
      const { code, table } = error as { code?: string; table?: string };
      if (code !== '23505' || table !== 'tickets') throw error;
    }
  }
}
