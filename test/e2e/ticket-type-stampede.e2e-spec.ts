import { eventsWithWrongCounters, ticketTypesWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { ServerProcess, startServers } from '../support/server-process';
import {
  eventually,
  holdsEnded,
  holdTimeIsUp,
  Outcome,
  SAMPLE_EVERY,
  Storm,
  TypedSeats,
  typedSeatsOf,
} from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const CAPACITY = 40;
const BUYERS = 90;
/** Journeys per buyer, and quota moves: the storm is a fixed amount of work, however fast the machine. */
const ROUNDS = 5;
const QUOTA_MOVES = 40;
/** Long enough that no confirmation sent at once finds its hold expired, however loaded the machine. */
const TTL_SECONDS = 60;
/** The two types with a quota; the default type (General admission) has none. */
const VIP = { name: 'VIP', price: '25.50', quota: 12 };
const STUDENT = { name: 'Student', price: '5.05', quota: 8 };

/** Each answer is kept with the ticket type it was for (`of`). */
type Step = 'book' | 'hold' | 'confirm' | 'release' | 'late confirm' | 'cancel' | 'quota';

/**
 * Three ticket types of one event, two with quotas, bought at once on two API processes sharing
 * one database: direct bookings and cancellations, holds confirmed, released and left to
 * expire (some confirmed late), while an admin moves the VIP quota up and down. The storm reads
 * the event's and the types' seats as it goes.
 */
describe('A stampede of buyers of three ticket types of one event on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let servers: ServerProcess[];
  let event: { id: number };
  let types: { id: number; name: string; price: string }[];
  let storm: Storm<Step, TypedSeats>;

  beforeAll(async () => {
    t = await createTestApp();
    const env = testServerEnv({ RATE_LIMIT_MAX: '1000000', HOLD_TTL_SECONDS: String(TTL_SECONDS) });
    servers = await startServers(env);

    const admin = await createAdmin(t);
    event = await createEvent(t, admin, { capacity: CAPACITY, price: '12.34' });
    for (const type of [VIP, STUDENT]) {
      await t.http().post(`/api/v1/events/${event.id}/ticket-types`).set(admin.auth).send(type).expect(201);
    }
    types = (await t.http().get(`/api/v1/events/${event.id}/ticket-types`).expect(200)).body;
    const buyers: Caller[] = [];
    for (let i = 0; i < BUYERS; i++) buyers.push(await registerCustomer(t));

    storm = new Storm<Step, TypedSeats>(servers, typedSeatsOf(t.db, event.id));
    const send = (step: Step, type: number, caller: Caller, method: string, path: string, body?: object) =>
      storm.send(step, caller, method, path, body, type);
    const cancel = (buyer: Caller, booking: Outcome<Step>) =>
      booking.status === 201 &&
      send('cancel', booking.of!, buyer, 'PUT', `/bookings/${booking.body.id}/status`, { status: 'cancelled' });
    /**
     * One buyer of one type (`i` picks which, and which journey), ROUNDS times: book and cancel;
     * hold two and confirm (cancelling every other booking); hold and release; hold and let its
     * time run out, half of them coming back to confirm after the hold expired.
     */
    const shop = async (i: number) => {
      const buyer = buyers[i];
      const type = types[i % 3].id;
      const order = { event_id: event.id, ticket_type_id: type, quantity: 1 };
      const journey = Math.floor(i / 3) % 4;
      for (let round = 0; round < ROUNDS; round++) {
        if (journey === 0) {
          await cancel(buyer, await send('book', type, buyer, 'POST', '/bookings', order));
          continue;
        }
        const held = await send('hold', type, buyer, 'POST', '/holds', { ...order, quantity: journey === 1 ? 2 : 1 });
        if (held.status !== 201) continue;
        if (journey === 1) {
          const confirmed = await send('confirm', type, buyer, 'POST', `/holds/${held.body.id}/confirm`);
          if (round % 2 === 1) await cancel(buyer, confirmed);
        } else if (journey === 2) {
          await send('release', type, buyer, 'DELETE', `/holds/${held.body.id}`);
        } else {
          await holdTimeIsUp(t.db, held.body.id as number);
          if (i % 2 === 1)
            await cancel(buyer, await send('late confirm', type, buyer, 'POST', `/holds/${held.body.id}/confirm`));
        }
      }
    };
    /** The VIP quota lowered towards what it has sold and held, and raised again, as the storm goes on. */
    const moveQuota = async () => {
      for (let round = 0; round < QUOTA_MOVES; round++) {
        await eventually(
          `${round * 10} answers`,
          () => storm.outcomes.length,
          (n) => n >= round * 10,
        );
        const quota = VIP.quota - (round % 2) * 3;
        await send('quota', types[1].id, admin, 'PUT', `/ticket-types/${types[1].id}`, { quota });
      }
      await send('quota', types[1].id, admin, 'PUT', `/ticket-types/${types[1].id}`, { quota: VIP.quota });
    };

    await Promise.all([...buyers.map((_, i) => shop(i)), moveQuota()]);
    await holdsEnded(t.db, event.id);
  });

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
  });

  const of = (step: Step, type?: number) => storm.answers(step, type);
  const statuses = (step: Step) => storm.statuses(step);

  it('answers every request with a 2xx or a 409, never a 5xx', () => {
    expect(storm.unexpected()).toEqual([]);
  });

  it('sells and holds every type, and runs out of the two quotas', () => {
    const succeeded = (step: Step, type?: number) => of(step, type).filter((o) => o.status === 201).length;
    // Which journey gets a quota's seats first is a race: each type must sell, whether by booking or by confirmation.
    for (const { id } of types) {
      expect(succeeded('book', id) + succeeded('confirm', id)).toBeGreaterThan(0);
      expect(succeeded('hold', id)).toBeGreaterThan(0);
    }
    for (const step of ['book', 'hold', 'confirm'] as const) expect(succeeded(step)).toBeGreaterThan(3);
    for (const { id } of types.slice(1)) {
      expect(of('hold', id).some((o) => o.body.code === 'INSUFFICIENT_TICKETS')).toBe(true);
    }
  });

  it('refuses only for the reasons the contract gives', () => {
    for (const status of statuses('book')) expect(['201', '409 INSUFFICIENT_TICKETS']).toContain(status);
    for (const status of statuses('hold')) expect(['201', '409 INSUFFICIENT_TICKETS']).toContain(status);
    for (const status of statuses('confirm')) expect(status).toBe('201');
    for (const status of statuses('release')) expect(status).toBe('200');
    for (const status of statuses('late confirm')) expect(['201', '409 HOLD_EXPIRED']).toContain(status);
    for (const status of statuses('cancel')) expect(status).toBe('200');
    for (const status of statuses('quota')) expect(['200', '409 CAPACITY_BELOW_SOLD']).toContain(status);
  });

  it('never had more seats sold and held than the capacity or a quota, at any moment sampled', () => {
    expect(storm.samples.length).toBeGreaterThanOrEqual(Math.floor(storm.outcomes.length / SAMPLE_EVERY));
    expect(storm.samples.filter((s) => s.sold + s.held > s.cap || s.held < 0 || s.sold < 0)).toEqual([]);
  });

  it('charged every booking its type price times its quantity, to the cent', async () => {
    const wrong = await t.db.query(
      `SELECT b.id, b.total_amount, t.price, b.quantity FROM bookings b JOIN ticket_types t ON t.id = b.ticket_type_id
        WHERE b.event_id = $1 AND b.total_amount <> t.price * b.quantity`,
      [event.id],
    );
    expect(wrong).toEqual([]);
  });

  it('leaves every counter, per type and per event, equal to the aggregates over bookings and holds', async () => {
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it("leaves the event's counters the sums of its types'", async () => {
    const [row] = await t.db.query(
      `SELECT e.total_tickets_sold = sum(t.total_tickets_sold) AND e.total_tickets_held = sum(t.total_tickets_held)
              AND e.total_revenue = sum(t.total_revenue) AS adds_up
         FROM events e JOIN ticket_types t ON t.event_id = e.id WHERE e.id = $1
        GROUP BY e.id`,
      [event.id],
    );
    expect(row.adds_up).toBe(true);
  });
});
