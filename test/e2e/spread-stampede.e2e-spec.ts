import { eventsWithWrongCounters, promoCodesWithWrongUses, ticketTypesWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { ServerProcess, startServers } from '../support/server-process';
import { eventually, Storm } from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const EVENTS = 12;
const CAPACITY = 6;
/** Each event's VIP type: fewer seats than the event. */
const VIP = { name: 'VIP', price: '30.00', quota: 2 };
/** Each event's code of one text: another discount on each event, for at most 2 VIP tickets. */
const CODE = 'SPREAD-VIP';
const BUYERS = 60;
const REQUESTS = 360;

type Step = 'book' | 'book vip' | 'hold' | 'order';

/**
 * Bookings, holds and orders (a default and a VIP seat, with a promo code whose text every
 * event has) spread over 12 six-seat events and 2 cancelled ones, sent at once to two API
 * processes sharing one database, so that each process's statements sell to several events at
 * a time. The first two events' rows are locked by the test until both processes wait for them: every
 * request that arrives meanwhile waits in its process's lane, and goes in a batch with others.
 */
describe('A stampede spread over many events on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let servers: ServerProcess[];
  let events: { id: number }[];
  let cancelled: { id: number }[];
  let vips: number[];
  let storm: Storm<Step>;

  beforeAll(async () => {
    t = await createTestApp();
    const env = testServerEnv({ RATE_LIMIT_MAX: '1000000', DATABASE_POOL_SIZE: '10' });
    servers = await startServers(env);

    const admin = await createAdmin(t);
    events = [];
    vips = [];
    for (let i = 0; i < EVENTS; i++) {
      const event = await createEvent(t, admin, { capacity: CAPACITY, price: '10.00' });
      const { body: vip } = await t
        .http()
        .post(`/api/v1/events/${event.id}/ticket-types`)
        .set(admin.auth)
        .send(VIP)
        .expect(201);
      await t
        .http()
        .post(`/api/v1/events/${event.id}/promo-codes`)
        .set(admin.auth)
        .send({
          code: CODE,
          discount_type: 'amount',
          discount_value: `${i + 1}.00`,
          max_uses: 2,
          ticket_type_ids: [vip.id],
        })
        .expect(201);
      events.push(event);
      vips.push(vip.id);
    }
    cancelled = [];
    for (let i = 0; i < 2; i++) {
      const event = await createEvent(t, admin, { capacity: CAPACITY });
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      cancelled.push(event);
    }
    const buyers: Caller[] = [];
    for (let i = 0; i < BUYERS; i++) buyers.push(await registerCustomer(t));

    storm = new Storm<Step>(servers);
    const all = [...events, ...cancelled];
    /** Request i: to event i modulo 14 (the last two cancelled), by buyer i modulo 60, never twice the same pair. */
    const request = (i: number) => {
      const { id } = all[i % all.length];
      const vip = vips[i % all.length];
      const buyer = buyers[i % BUYERS];
      const step = (['book', 'hold', 'order', 'book vip'] as const)[Math.floor(i / all.length) % 4];
      if (step === 'hold' || vip === undefined)
        return storm.send(
          step === 'hold' ? 'hold' : 'book',
          buyer,
          'POST',
          `/${step === 'hold' ? 'holds' : 'bookings'}`,
          { event_id: id, quantity: 1 },
          id,
        );
      if (step === 'order') {
        const lines = [{ quantity: 1 }, { ticket_type_id: vip, quantity: 1 }];
        return storm.send('order', buyer, 'POST', '/orders', { event_id: id, lines, promo_code: CODE }, id);
      }
      const ticketType = step === 'book vip' ? vip : undefined;
      return storm.send(
        step,
        buyer,
        'POST',
        '/bookings',
        { event_id: id, ticket_type_id: ticketType, quantity: 1 },
        id,
      );
    };

    const blocker = t.db.createQueryRunner();
    await blocker.startTransaction();
    // Requests alternate between the processes: the first event's go to the first, the second's to the second.
    await blocker.query('SELECT id FROM events WHERE id = ANY ($1) ORDER BY id FOR UPDATE', [
      [events[0].id, events[1].id],
    ]);
    const sent = Array.from({ length: REQUESTS }, (_, i) => request(i));
    await eventually(
      'both API processes to wait for a locked event',
      () =>
        t.db.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        ),
      ([{ waiting }]) => waiting >= 2,
    );
    await blocker.commitTransaction();
    await blocker.release();
    await Promise.all(sent);
  });

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
  });

  const ids = () => events.map((e) => e.id);

  it('answers every request with a 201 or a 409, never a 5xx', () => {
    expect(storm.unexpected()).toEqual([]);
    expect(storm.outcomes.filter((o) => o.status >= 500)).toEqual([]);
  });

  it('decides the sales of several events in one statement', async () => {
    const [{ batches }] = await t.db.query(
      `SELECT count(*)::int AS batches FROM (
         SELECT xmin::text FROM bookings WHERE event_id = ANY ($1) GROUP BY xmin::text HAVING count(DISTINCT event_id) > 1) b`,
      [ids()],
    );
    expect(batches).toBeGreaterThan(0);
  });

  it('sells or holds every seat of every event, and not one more', async () => {
    const rows: { sold: number; held: number; capacity: number }[] = await t.db.query(
      'SELECT total_tickets_sold AS sold, total_tickets_held AS held, capacity FROM events WHERE id = ANY ($1)',
      [ids()],
    );
    expect(rows.map((row) => row.sold + row.held)).toEqual(Array(EVENTS).fill(CAPACITY));
  });

  it('never sells or holds more of a ticket type than its quota', async () => {
    const rows: { taken: number }[] = await t.db.query(
      'SELECT total_tickets_sold + total_tickets_held AS taken FROM ticket_types WHERE id = ANY ($1)',
      [vips],
    );
    expect(rows.every((row) => row.taken <= VIP.quota)).toBe(true);
  });

  it('answers each sale and hold of a cancelled event 409 EVENT_NOT_BOOKABLE', () => {
    const answers = cancelled.flatMap((event) =>
      (['book', 'book vip', 'hold', 'order'] as Step[]).flatMap((step) => storm.answers(step, event.id)),
    );
    expect(answers.length).toBeGreaterThan(0);
    expect(new Set(answers.map((o) => `${o.status} ${o.body.code}`))).toEqual(new Set(['409 EVENT_NOT_BOOKABLE']));
  });

  it("gives each order its own event's promo code discount", async () => {
    const rows: { event: number; code_event: number; discount: string }[] = await t.db.query(
      `SELECT o.event_id AS event, c.event_id AS code_event, o.discount_amount::text AS discount
         FROM orders o JOIN promo_codes c ON c.id = o.promo_code_id WHERE o.event_id = ANY ($1)`,
      [ids()],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.code_event).toBe(row.event);
      expect(row.discount).toBe(`${ids().indexOf(row.event) + 1}.00`);
    }
  });

  it('leaves every counter and promo code use equal to the aggregates', async () => {
    expect(await eventsWithWrongCounters(t.db, ids())).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, ids())).toEqual([]);
    expect(await promoCodesWithWrongUses(t.db, ids())).toEqual([]);
  });
});
