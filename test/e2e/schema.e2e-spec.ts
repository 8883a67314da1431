import { DataSource } from 'typeorm';
import { withDataSource } from '../../src/database/database';
import { createScratchDatabase, ScratchDatabase } from '../support/scratch-database';

/** The database enforces the contract's invariants even against code that forgets them. */
describe('Database schema', () => {
  let scratch: ScratchDatabase;
  let db: DataSource;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await withDataSource(scratch.url, (migrator) => migrator.runMigrations());
    db = await new DataSource({ type: 'postgres', url: scratch.url }).initialize();
  });
  afterAll(async () => {
    await db.destroy();
    await scratch.drop();
  });

  /** An event with its default ticket type. */
  const insertEvent = (capacity: number, price: string) =>
    db.query(
      `WITH event AS (
         INSERT INTO events (title, venue, date_time, capacity, price) VALUES ('E', 'V', now() + interval '1 day', $1, $2)
         RETURNING id, price)
       INSERT INTO ticket_types (event_id, name, price, is_default) SELECT id, 'General admission', price, true FROM event
       RETURNING event_id AS id, id AS ticket_type_id`,
      [capacity, price],
    );
  /** A booking of the event's default ticket type. */
  const insertBooking = (userId: number, eventId: number, quantity: number) =>
    db.query(
      `INSERT INTO bookings (user_id, event_id, ticket_type_id, quantity, total_amount)
       SELECT $1, event_id, id, $3::int, price * $3::int FROM ticket_types WHERE event_id = $2 RETURNING id`,
      [userId, eventId, quantity],
    );
  const insertUser = (phone: string) =>
    db.query(`INSERT INTO users (name, phone, password_hash) VALUES ('U', $1, 'h') RETURNING id`, [phone]);

  it('refuses a second user with the same phone', async () => {
    await insertUser('0811111111');
    await expect(insertUser('0811111111')).rejects.toThrow(/unique/);
  });

  it('refuses a malformed phone', async () => {
    await expect(insertUser('phone-number')).rejects.toThrow(/chk_users_phone/);
  });

  it.each([0, 1_000_001])('refuses capacity %i', async (capacity) => {
    await expect(insertEvent(capacity, '1.00')).rejects.toThrow(/chk_events_capacity/);
  });

  it('refuses a negative price', async () => {
    await expect(insertEvent(10, '-0.01')).rejects.toThrow(/chk_events_price/);
  });

  it('refuses more tickets sold than capacity', async () => {
    const [{ id }] = await insertEvent(2, '1.00');
    await expect(db.query('UPDATE events SET total_tickets_sold = 3 WHERE id = $1', [id])).rejects.toThrow(
      /chk_events_sold/,
    );
  });

  it('refuses more tickets sold and held together than capacity', async () => {
    const [{ id }] = await insertEvent(3, '1.00');
    await expect(
      db.query('UPDATE events SET total_tickets_sold = 2, total_tickets_held = 2 WHERE id = $1', [id]),
    ).rejects.toThrow(/chk_events_sold_held/);
  });

  it('refuses a negative count of held tickets', async () => {
    const [{ id }] = await insertEvent(3, '1.00');
    await expect(db.query('UPDATE events SET total_tickets_held = -1 WHERE id = $1', [id])).rejects.toThrow(
      /chk_events_sold_held/,
    );
  });

  it('refuses a booking of zero tickets', async () => {
    const [{ id: eventId }] = await insertEvent(2, '1.00');
    const [{ id: userId }] = await insertUser('0822222222');
    await expect(insertBooking(userId, eventId, 0)).rejects.toThrow(/chk_bookings_quantity/);
  });

  it('refuses to delete a user or an event that has bookings (history is never cascaded away)', async () => {
    const [{ id: eventId }] = await insertEvent(2, '1.00');
    const [{ id: userId }] = await insertUser('0833333333');
    await insertBooking(userId, eventId, 1);
    await expect(db.query('DELETE FROM users WHERE id = $1', [userId])).rejects.toThrow(/foreign key/);
    await expect(db.query('DELETE FROM events WHERE id = $1', [eventId])).rejects.toThrow(/foreign key/);
  });

  it('holds the revenue of a sold-out 1,000,000-seat event at the largest price exactly', async () => {
    const [{ id }] = await insertEvent(1_000_000, '99999999.99');
    await db.query('UPDATE events SET total_tickets_sold = capacity, total_revenue = price * capacity WHERE id = $1', [
      id,
    ]);
    const [{ total_revenue }] = await db.query('SELECT total_revenue FROM events WHERE id = $1', [id]);
    expect(total_revenue).toBe('99999999990000.00');
  });

  it('refuses a malformed ticket code', async () => {
    const [{ id: eventId }] = await insertEvent(2, '1.00');
    const [{ id: userId }] = await insertUser('0844444444');
    const [{ id: bookingId }] = await insertBooking(userId, eventId, 1);
    await expect(
      db.query(`INSERT INTO tickets (booking_id, ticket_code) VALUES ($1, 'TKT-2026-abc')`, [bookingId]),
    ).rejects.toThrow(/chk_tickets_code/);
  });

  it('refuses more tickets of a type sold and held together than its quota', async () => {
    const [{ ticket_type_id: id }] = await insertEvent(10, '1.00');
    await db.query('UPDATE ticket_types SET quota = 3 WHERE id = $1', [id]);
    await expect(
      db.query('UPDATE ticket_types SET total_tickets_sold = 2, total_tickets_held = 2 WHERE id = $1', [id]),
    ).rejects.toThrow(/chk_ticket_types_sold_held/);
  });

  it('refuses a second default ticket type for an event', async () => {
    const [{ id }] = await insertEvent(10, '1.00');
    await expect(
      db.query(`INSERT INTO ticket_types (event_id, name, price, is_default) VALUES ($1, 'Other', 1, true)`, [id]),
    ).rejects.toThrow(/uq_ticket_types_default/);
  });

  it('refuses to delete a ticket type that has bookings', async () => {
    const [{ id: eventId, ticket_type_id: typeId }] = await insertEvent(2, '1.00');
    const [{ id: userId }] = await insertUser('0855555555');
    await insertBooking(userId, eventId, 1);
    await expect(db.query('DELETE FROM ticket_types WHERE id = $1', [typeId])).rejects.toThrow(
      /fk_bookings_ticket_type/,
    );
  });
});
