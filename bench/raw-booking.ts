import { Pool } from 'pg';
import { SALE_STATEMENT } from '../src/modules/seats/sale.statement';
import { generateTicketSuffix } from '../src/modules/tickets/ticket-code';

/**
 * The API's booking statement through `pg` with nothing around it (no HTTP, auth, validation
 * or ORM): the ceiling PostgreSQL sets for POST /bookings.
 */
export async function bookRaw(pool: Pool, userId: number, eventId: number, quantity: number): Promise<void> {
  const suffixes = Array.from({ length: quantity }, generateTicketSuffix);
  await pool.query(SALE_STATEMENT, [eventId, userId, quantity, suffixes]);
}
