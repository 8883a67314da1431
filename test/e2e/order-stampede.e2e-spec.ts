import { eventsWithWrongCounters, promoCodesWithWrongUses, ticketTypesWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { ServerProcess, startServers } from '../support/server-process';
import { holdsEnded, orderTimeIsUp, Outcome, SAMPLE_EVERY, Storm, TypedSeats, typedSeatsOf } from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const CAPACITY = 40;
const ORDER_BUYERS = 60;
const OTHER_BUYERS = 20;
/** Journeys per buyer: the storm is a fixed amount of work, however fast the machine. */
const ROUNDS = 3;
/** Long enough for any payment on a loaded machine: the storm moves expiring orders' time itself. */
const TTL_SECONDS = 60;
/** The two types with a quota; the default type (General admission) has none. */
const VIP = { name: 'VIP', price: '25.50', quota: 12 };
const STUDENT = { name: 'Student', price: '5.05', quota: 8 };
/** A code every other order sends: 1.00 off each VIP ticket, for at most 6 of them at a time. */
const CODE = { code: 'STORM-VIP', discount_type: 'amount', discount_value: '1.00', max_uses: 6 };

type Step = 'order' | 'pay' | 'cancel' | 'late pay' | 'book' | 'hold' | 'confirm' | 'cancel booking';

/**
 * Orders of two or three ticket types of one 40-seat event (two types with quotas), 60 buyers
 * sending theirs at once to two API processes sharing one database, while 20 others book and
 * hold directly; orders are paid, cancelled (pending and paid), and left to expire (some paid
 * late, racing the servers' sweepers); every other order sends a promo code with a limit of 6 uses. The storm reads the event's and the types' seats as it goes.
 */
describe('A stampede of orders of several ticket types of one event on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let servers: ServerProcess[];
  let event: { id: number };
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
    const [general, vip, student] = (await t.http().get(`/api/v1/events/${event.id}/ticket-types`).expect(200)).body;
    await t
      .http()
      .post(`/api/v1/events/${event.id}/promo-codes`)
      .set(admin.auth)
      .send({ ...CODE, ticket_type_ids: [vip.id] })
      .expect(201);
    const buyers: Caller[] = [];
    for (let i = 0; i < ORDER_BUYERS + OTHER_BUYERS; i++) buyers.push(await registerCustomer(t));

    storm = new Storm<Step, TypedSeats>(servers, typedSeatsOf(t.db, event.id));
    const send = (step: Step, caller: Caller, method: string, path: string, body?: object) =>
      storm.send(step, caller, method, path, body);
    /** Two or three lines, of different types, one or two seats each. */
    const linesOf = (i: number) => {
      const lines = [
        { ticket_type_id: general.id, quantity: 1 + (i % 2) },
        { ticket_type_id: vip.id, quantity: 1 + ((i >> 1) % 2) },
      ];
      return i % 3 === 0 ? [...lines, { ticket_type_id: student.id, quantity: 1 }] : lines;
    };
    /** Moves the order's time past, as if TTL_SECONDS had gone by: the servers' sweepers expire it. */
    const timeIsUp = (orderId: number) => orderTimeIsUp(t.db, orderId);
    /** Orders made so far: each next one takes the next journey, so every journey is taken. */
    let made = 0;
    /**
     * One order buyer, ROUNDS times, each order made taking the next of four journeys: pay; cancel;
     * pay and cancel (refunded); let its time run out, every other one coming back to pay late,
     * racing the sweepers.
     */
    const orderer = async (i: number) => {
      const buyer = buyers[i];
      for (let round = 0; round < ROUNDS; round++) {
        const promo = i % 2 === 0 ? { promo_code: CODE.code } : {};
        const order = await send('order', buyer, 'POST', '/orders', {
          event_id: event.id,
          lines: linesOf(i + round),
          ...promo,
        });
        if (order.status !== 201) continue;
        const id = order.body.id as number;
        const journey = made++ % 4;
        if (journey === 0) await send('pay', buyer, 'POST', `/orders/${id}/confirm`);
        else if (journey === 1) await send('cancel', buyer, 'POST', `/orders/${id}/cancel`);
        else if (journey === 2) {
          const paid = await send('pay', buyer, 'POST', `/orders/${id}/confirm`);
          if (paid.status === 201) await send('cancel', buyer, 'POST', `/orders/${id}/cancel`);
        } else {
          await timeIsUp(id);
          if (made % 2 === 1) await send('late pay', buyer, 'POST', `/orders/${id}/confirm`);
        }
      }
    };
    const cancelBooking = (buyer: Caller, booking: Outcome<Step>) =>
      booking.status === 201 &&
      send('cancel booking', buyer, 'PUT', `/bookings/${booking.body.id}/status`, { status: 'cancelled' });
    /** One of the others, ROUNDS times: book (cancelling every other booking), or hold and confirm. */
    const direct = async (i: number) => {
      const buyer = buyers[ORDER_BUYERS + i];
      const purchase = { event_id: event.id, ticket_type_id: [general, vip, student][i % 3].id, quantity: 1 };
      for (let round = 0; round < ROUNDS; round++) {
        if (i % 2 === 0) {
          const booked = await send('book', buyer, 'POST', '/bookings', purchase);
          if (round % 2 === 1) await cancelBooking(buyer, booked);
          continue;
        }
        const held = await send('hold', buyer, 'POST', '/holds', purchase);
        if (held.status === 201) await send('confirm', buyer, 'POST', `/holds/${held.body.id}/confirm`);
      }
    };

    await Promise.all([
      ...buyers.slice(0, ORDER_BUYERS).map((_, i) => orderer(i)),
      ...buyers.slice(ORDER_BUYERS).map((_, i) => direct(i)),
    ]);
    await holdsEnded(t.db, event.id);
  });

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
  });

  const of = (step: Step) => storm.answers(step);
  const statuses = (step: Step) => storm.statuses(step);

  it('answers every request with a 2xx or a 409, never a 5xx', () => {
    expect(storm.unexpected()).toEqual([]);
  });

  it('makes, pays, cancels and refunds orders, and refuses some for want of seats', () => {
    const succeeded = (step: Step) => of(step).filter((o) => o.status < 300).length;
    // The direct buyers hold at most 20 seats at first: the first orders (5 seats at most) get 4 or more.
    const made = succeeded('order');
    expect(made).toBeGreaterThanOrEqual(4);
    /** How many orders took journey `j` (0: pay, 1: cancel, 2: pay and cancel), taken in turn. */
    const took = (j: number) => Math.ceil((made - j) / 4);
    expect(succeeded('pay')).toBe(took(0) + took(2));
    expect(succeeded('cancel')).toBe(took(1) + took(2));
    expect(of('order').some((o) => o.body.code === 'INSUFFICIENT_TICKETS')).toBe(true);
  });

  it('refuses only for the reasons the contract gives', () => {
    for (const status of statuses('order')) {
      expect(['201', '409 INSUFFICIENT_TICKETS', '409 PROMO_CODE_INVALID']).toContain(status);
    }
    for (const status of statuses('pay')) expect(status).toBe('201');
    for (const status of statuses('late pay')) expect(['201', '409 ORDER_EXPIRED']).toContain(status);
    for (const status of statuses('cancel')) expect(status).toBe('200');
    for (const status of statuses('book')) expect(['201', '409 INSUFFICIENT_TICKETS']).toContain(status);
    for (const status of statuses('hold')) expect(['201', '409 INSUFFICIENT_TICKETS']).toContain(status);
    for (const status of statuses('confirm')) expect(status).toBe('201');
    for (const status of statuses('cancel booking')) expect(status).toBe('200');
  });

  it('never had more seats sold and held than the capacity or a quota, at any moment sampled', () => {
    expect(storm.samples.length).toBeGreaterThanOrEqual(Math.floor(storm.outcomes.length / SAMPLE_EVERY));
    expect(storm.samples.filter((s) => s.sold + s.held > s.cap || s.held < 0 || s.sold < 0)).toEqual([]);
  });

  it("never let the promo code's uses pass its limit, and left them equal to its pending and paid orders' tickets", async () => {
    const [{ uses }] = await t.db.query('SELECT uses FROM promo_codes WHERE event_id = $1', [event.id]);
    expect(uses).toBeLessThanOrEqual(CODE.max_uses);
    expect(await promoCodesWithWrongUses(t.db, [event.id])).toEqual([]);
    const [{ discounted }] = await t.db.query(
      'SELECT count(*)::int AS discounted FROM orders WHERE event_id = $1 AND discount_amount > 0',
      [event.id],
    );
    expect(discounted).toBeGreaterThan(0);
  });

  it('never held an order in part: every order has all its lines, all in one state', async () => {
    const partial = await t.db.query(
      `SELECT o.id, o.status, array_agg(h.status) AS lines
         FROM orders o LEFT JOIN holds h ON h.order_id = o.id
        WHERE o.event_id = $1
        GROUP BY o.id
       HAVING count(h.id) NOT IN (2, 3) OR count(DISTINCT h.status) <> 1`,
      [event.id],
    );
    expect(partial).toEqual([]);
  });

  it('made no order of a refusal', async () => {
    const made = of('order').filter((o) => o.status === 201).length;
    const [{ orders }] = await t.db.query('SELECT count(*)::int AS orders FROM orders WHERE event_id = $1', [event.id]);
    expect(orders).toBe(made);
  });

  it('left every order in a state its lines agree with, its seats back once it ended', async () => {
    const wrong = await t.db.query(
      `SELECT o.id, o.status, array_agg(h.status) AS lines FROM orders o JOIN holds h ON h.order_id = o.id
        WHERE o.event_id = $1
        GROUP BY o.id, o.status
       HAVING NOT bool_and(CASE o.status WHEN 'paid' THEN h.status = 'confirmed'
                                         WHEN 'refunded' THEN h.status = 'confirmed'
                                         WHEN 'expired' THEN h.status = 'expired'
                                         WHEN 'cancelled' THEN h.status = 'released' END)`,
      [event.id],
    );
    expect(wrong).toEqual([]);
  });

  it("charged every paid order exactly what its bookings add up to, and refunded a refunded one's in full", async () => {
    const wrong = await t.db.query(
      `SELECT o.id, o.status, o.total_amount, o.refunded_amount, b.sold, b.cancelled
         FROM orders o
        CROSS JOIN LATERAL (
              SELECT coalesce(sum(total_amount), 0) AS sold,
                     coalesce(sum(total_amount) FILTER (WHERE status = 'cancelled'), 0) AS cancelled
                FROM bookings WHERE order_id = o.id) b
        WHERE o.event_id = $1 AND o.status IN ('paid', 'refunded')
          AND (b.sold <> o.total_amount OR o.refunded_amount <> b.cancelled
               OR (o.status = 'refunded') <> (b.cancelled = o.total_amount))`,
      [event.id],
    );
    expect(wrong).toEqual([]);
  });

  it('leaves every counter, per type and per event, equal to the aggregates over bookings and holds', async () => {
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });
});
