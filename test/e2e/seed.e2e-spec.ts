import { DataSource } from 'typeorm';
import { withDataSource } from '../../src/database/database';
import { seed } from '../../seeds/seed';
import { eventsWithWrongCounters, ticketTypesWithWrongCounters } from '../support/counters';
import { createScratchDatabase, ScratchDatabase } from '../support/scratch-database';

async function counts(db: DataSource) {
  const [row] = await db.query(`
    SELECT (SELECT count(*) FROM users)::int AS users,
           (SELECT count(*) FROM users WHERE role = 'admin')::int AS admins,
           (SELECT count(*) FROM events WHERE date_time > now())::int AS future_events,
           (SELECT count(*) FROM bookings)::int AS bookings,
           (SELECT count(DISTINCT status) FROM bookings)::int AS booking_statuses,
           (SELECT count(*) FROM tickets)::int AS tickets`);
  return row;
}

describe('npm run seed', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await withDataSource(scratch.url, (db) => db.runMigrations());
  });
  afterAll(() => scratch.drop());

  it('loads 5 users (1 admin), 5 future events, 7 bookings of both statuses and 15 tickets', async () => {
    await withDataSource(scratch.url, seed);
    expect(await withDataSource(scratch.url, counts)).toEqual({
      users: 5,
      admins: 1,
      future_events: 5,
      bookings: 7,
      booking_statuses: 2,
      tickets: 15,
    });
  });

  it('changes nothing when run again', async () => {
    await withDataSource(scratch.url, seed);
    const before = await withDataSource(scratch.url, (db) => db.query('SELECT * FROM tickets ORDER BY id'));
    await withDataSource(scratch.url, seed);
    expect(await withDataSource(scratch.url, (db) => db.query('SELECT * FROM tickets ORDER BY id'))).toEqual(before);
    expect((await withDataSource(scratch.url, counts)).users).toBe(5);
  });

  it('leaves every event and ticket type counter equal to the aggregate over its bookings and holds', async () => {
    await withDataSource(scratch.url, seed);
    expect(await withDataSource(scratch.url, (db) => eventsWithWrongCounters(db))).toEqual([]);
    expect(await withDataSource(scratch.url, (db) => ticketTypesWithWrongCounters(db))).toEqual([]);
  });

  it('loads a paid order of two lines, whose bookings add up to it, and a pending order of two held lines', async () => {
    const orders = await withDataSource(scratch.url, (db) =>
      db.query(`
        SELECT o.status, o.quantity, o.total_amount::text,
               (SELECT count(*) FROM holds h WHERE h.order_id = o.id)::int AS lines,
               (SELECT coalesce(sum(b.total_amount), 0.00)::text FROM bookings b WHERE b.order_id = o.id) AS booked,
               (SELECT count(*) FROM holds h WHERE h.order_id = o.id AND h.status = 'active')::int AS held
          FROM orders o ORDER BY o.id`),
    );
    expect(orders).toEqual([
      { status: 'paid', quantity: 5, total_amount: '16500.00', lines: 2, booked: '16500.00', held: 0 },
      { status: 'pending', quantity: 3, total_amount: '1650.00', lines: 2, booked: '0.00', held: 2 },
    ]);
  });

  it('gives each booking one ticket per unit, cancelled with their booking', async () => {
    const wrong = await withDataSource(scratch.url, (db) =>
      db.query(`
        SELECT b.id FROM bookings b JOIN tickets t ON t.booking_id = b.id
         GROUP BY b.id, b.quantity, b.status
        HAVING count(*) <> b.quantity
            OR bool_or((b.status = 'cancelled') <> (t.status = 'cancelled'))`),
    );
    expect(wrong).toEqual([]);
  });
});
