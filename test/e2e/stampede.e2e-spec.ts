import { checkedFetch } from '../support/contract';
import { eventsWithWrongCounters } from '../support/counters';
import { book, Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { ServerProcess, startServers } from '../support/server-process';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const CAPACITY = 60;
const PRESOLD = 10;
const BUYERS = 50;
const REQUESTS = 500;
const LATE_WAVE = 50;

interface Outcome {
  kind: 'book' | 'cancel';
  server: number;
  status: number;
  body: { code?: string; tickets?: { ticket_code: string }[] };
}

/**
 * 500 concurrent bookings of a 60-seat event, sent alternately to two API processes on the
 * same database, while 10 earlier bookings are cancelled: the row lock must hold across processes.
 * A cancellation may commit after the last booking of the stampede, so a second, smaller wave
 * follows; between them they must sell every seat, and not one more.
 */
describe('A stampede of buyers on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let servers: ServerProcess[];
  let event: { id: number };
  let outcomes: Outcome[];

  beforeAll(async () => {
    t = await createTestApp();
    const env = testServerEnv({ RATE_LIMIT_MAX: '1000000', DATABASE_POOL_SIZE: '10' });
    servers = await startServers(env);

    const admin = await createAdmin(t);
    event = await createEvent(t, admin, { capacity: CAPACITY, price: '19.99' });
    const buyers: Caller[] = [];
    for (let i = 0; i < BUYERS; i++) buyers.push(await registerCustomer(t));
    const presold = [];
    for (let i = 0; i < PRESOLD; i++) presold.push({ buyer: buyers[i], booking: await book(t, buyers[i], event.id) });

    const send = async (
      kind: Outcome['kind'],
      server: number,
      path: string,
      method: string,
      caller: Caller,
      body: object,
    ) => {
      const res = await checkedFetch(`${servers[server].url}/api/v1${path}`, {
        method,
        headers: { ...caller.auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { kind, server, status: res.status, body: (await res.json()) as Outcome['body'] };
    };
    const bookRequest = (i: number) =>
      send('book', i % 2, '/bookings', 'POST', buyers[i % BUYERS], { event_id: event.id, quantity: 1 });
    const stampede: Promise<Outcome>[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      if (i % 5 === 0 && i / 5 < PRESOLD) {
        const { buyer, booking } = presold[i / 5];
        stampede.push(send('cancel', i % 2, `/bookings/${booking.id}/status`, 'PUT', buyer, { status: 'cancelled' }));
      }
      stampede.push(bookRequest(i));
    }
    outcomes = await Promise.all(stampede);
    outcomes.push(...(await Promise.all(Array.from({ length: LATE_WAVE }, (_, i) => bookRequest(i)))));
  });

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
  });

  const bookings = () => outcomes.filter((o) => o.kind === 'book');

  it('answers every request with a 2xx or a 409, never a 5xx', () => {
    expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
    expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set([200, 201, 409]));
  });

  it('has both API processes serve the stampede', () => {
    expect(
      new Set(
        bookings()
          .filter((o) => o.status === 201)
          .map((o) => o.server),
      ),
    ).toEqual(new Set([0, 1]));
  });

  it('cancels every earlier booking', () => {
    expect(outcomes.filter((o) => o.kind === 'cancel').map((o) => o.status)).toEqual(Array(PRESOLD).fill(200));
  });

  it('sells the event out exactly: the seats left plus the cancelled ones, no more', () => {
    expect(bookings().filter((o) => o.status === 201)).toHaveLength(CAPACITY);
  });

  it('answers every loser 409 INSUFFICIENT_TICKETS', () => {
    const losers = bookings().filter((o) => o.status !== 201);
    expect(losers).toHaveLength(REQUESTS + LATE_WAVE - CAPACITY);
    expect(losers.every((o) => o.status === 409 && o.body.code === 'INSUFFICIENT_TICKETS')).toBe(true);
  });

  it('never sells more than capacity, as the database sees it', async () => {
    const [row] = await t.db.query(
      `SELECT e.total_tickets_sold AS sold, count(t.id)::int AS active_tickets
         FROM events e JOIN bookings b ON b.event_id = e.id JOIN tickets t ON t.booking_id = b.id AND t.status = 'active'
        WHERE e.id = $1 GROUP BY e.id`,
      [event.id],
    );
    expect(row).toEqual({ sold: CAPACITY, active_tickets: CAPACITY });
  });

  it('leaves the counters equal to the aggregates', async () => {
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    const { body } = await t.http().get(`/api/v1/events/${event.id}`);
    expect(body).toMatchObject({ total_bookings: CAPACITY, total_revenue: '1199.40', available_tickets: 0 });
  });

  it('issues unique ticket codes', () => {
    const codes = bookings().flatMap((o) => (o.body.tickets ?? []).map((ticket) => ticket.ticket_code));
    expect(codes).toHaveLength(CAPACITY);
    expect(new Set(codes).size).toBe(CAPACITY);
  });
});
