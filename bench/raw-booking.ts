import { Pool } from 'pg';
import { SALE_STATEMENT } from '../src/modules/seats/sale.statement';
import { generateTicketSuffix } from '../src/modules/tickets/ticket-code';

/**
 * A booking made by the API's sale statement (a batch of one, of the event's default ticket
 * type) through `pg`, for a bench's setup (bookings of a user other than the bench's admin). A
 * ticket code collision is drawn again, as the API does.
 */
export async function bookRaw(pool: Pool, userId: number, eventId: number, quantity: number): Promise<void> {
  for (;;) {
    const suffixes = Array.from({ length: quantity }, generateTicketSuffix);
    try {
      await pool.query(SALE_STATEMENT, [[eventId], [1], [userId], [null], [quantity], suffixes]);
      return;
    } catch (error) {
      const { code, table } = error as { code?: string; table?: string };
      if (code !== '23505' || table !== 'tickets') throw error;
    }
  }
}
