import { SchedulerRegistry } from '@nestjs/schedule';
import { HoldSweeper } from '../../src/modules/holds/hold-sweeper';
import { eventsWithWrongCounters } from '../support/counters';
import { book, Caller, createAdmin, createEvent, hold, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

const TTL_SECONDS = 600;

/**
 * Checkout holds through the API. The sweeper is stopped here so that a test decides when time
 * is up (by moving a hold's `expires_at` into the past) and when the sweeper passes (`sweep()`);
 * the sweeper on its own schedule is tested at the end.
 */
describe('Holds', () => {
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  let sweeper: HoldSweeper;
  beforeAll(async () => {
    t = await createTestApp({ HOLD_TTL_SECONDS: String(TTL_SECONDS), BOOKING_MAX_QUANTITY: '6' });
    t.app.get(SchedulerRegistry).deleteInterval(HoldSweeper.name);
    sweeper = t.app.get(HoldSweeper);
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(() => t.close());

  const post = (caller: Caller, body: object) => t.http().post('/api/v1/holds').set(caller.auth).send(body);
  const confirm = (caller: Caller, id: number) => t.http().post(`/api/v1/holds/${id}/confirm`).set(caller.auth);
  const release = (caller: Caller, id: number) => t.http().delete(`/api/v1/holds/${id}`).set(caller.auth);
  const read = async (caller: Caller, id: number) =>
    (await t.http().get(`/api/v1/holds/${id}`).set(caller.auth).expect(200)).body;
  const seats = async (eventId: number) => {
    const [row] = await t.db.query(
      `SELECT total_tickets_sold AS sold, total_tickets_held AS held, total_revenue::text AS revenue
         FROM events WHERE id = $1`,
      [eventId],
    );
    return row as { sold: number; held: number; revenue: string };
  };
  /** Time is up for the hold: its `expires_at` moves into the past; its seats stay held until swept. */
  const runOut = (holdId: number) =>
    t.db.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [holdId]);
  const holdRows = async () => Number((await t.db.query('SELECT count(*) FROM holds'))[0].count);

  describe('POST /holds', () => {
    it('keeps the seats for the caller until expires_at, at the price of now', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '25.50' });
      const res = await post(customer, { event_id: event.id, quantity: 3 }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        user_id: customer.user.id,
        event_id: event.id,
        ticket_type_id: expect.any(Number),
        quantity: 3,
        total_amount: '76.50',
        status: 'active',
        expires_at: expect.any(String),
        booking_id: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(res.headers.location).toBe(`/api/v1/holds/${res.body.id}`);
      const lifetime = Date.parse(res.body.expires_at) - Date.parse(res.body.created_at);
      expect(lifetime).toBe(TTL_SECONDS * 1000);
    });

    it('counts the held seats out of the available ones', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      await hold(t, customer, event.id, 3);
      const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
      expect(body).toMatchObject({ total_tickets_sold: 0, total_tickets_held: 3, available_tickets: 7 });
    });

    it('keeps held seats from every other buyer', async () => {
      const event = await createEvent(t, admin, { capacity: 3 });
      await hold(t, customer, event.id, 2);
      const other = await registerCustomer(t);
      const { body } = await t
        .http()
        .post('/api/v1/bookings')
        .set(other.auth)
        .send({ event_id: event.id, quantity: 2 })
        .expect(409);
      expect(body).toMatchObject({
        code: 'INSUFFICIENT_TICKETS',
        message: 'Not enough tickets: 2 requested, 1 available',
      });
      await post(other, { event_id: event.id, quantity: 2 }).expect(409);
    });

    it('refuses a second active hold of the same user and event with 409 HOLD_EXISTS naming the first', async () => {
      const event = await createEvent(t, admin);
      const first = await hold(t, customer, event.id, 1);
      const before = await holdRows();
      const { body } = await post(customer, { event_id: event.id, quantity: 2 }).expect(409);
      expect(body).toEqual({
        success: false,
        code: 'HOLD_EXISTS',
        message: `User ${customer.user.id} already has hold ${first.id} active for event ${event.id}`,
      });
      expect(await holdRows()).toBe(before);
      expect(await seats(event.id)).toMatchObject({ held: 1 });
    });

    it('lets the user hold again once the first hold is released', async () => {
      const event = await createEvent(t, admin);
      const first = await hold(t, customer, event.id, 1);
      await release(customer, first.id).expect(200);
      await post(customer, { event_id: event.id, quantity: 2 }).expect(201);
    });

    it('lets the user hold again once the first hold has run out, freeing its seats first', async () => {
      const event = await createEvent(t, admin, { capacity: 2 });
      const first = await hold(t, customer, event.id, 2);
      await runOut(first.id);
      await post(customer, { event_id: event.id, quantity: 2 }).expect(201);
      expect(await read(customer, first.id)).toMatchObject({ status: 'expired' });
      expect(await seats(event.id)).toMatchObject({ held: 2 });
    });

    it('lets an admin hold for another user', async () => {
      const event = await createEvent(t, admin);
      const { body } = await post(admin, { event_id: event.id, quantity: 1, user_id: customer.user.id }).expect(201);
      expect(body.user_id).toBe(customer.user.id);
    });

    it('refuses a customer holding for another user with 403', async () => {
      const event = await createEvent(t, admin);
      const other = await registerCustomer(t);
      await post(customer, { event_id: event.id, quantity: 1, user_id: other.user.id }).expect(403);
    });

    it('refuses an unknown event with 404', async () => {
      const { body } = await post(customer, { event_id: 999_999_999, quantity: 1 }).expect(404);
      expect(body.code).toBe('NOT_FOUND');
    });

    it('refuses more seats than available with 409 INSUFFICIENT_TICKETS, holding nothing', async () => {
      const event = await createEvent(t, admin, { capacity: 2 });
      const before = await holdRows();
      const { body } = await post(customer, { event_id: event.id, quantity: 3 }).expect(409);
      expect(body).toMatchObject({
        code: 'INSUFFICIENT_TICKETS',
        message: 'Not enough tickets: 3 requested, 2 available',
      });
      expect(await holdRows()).toBe(before);
    });

    it('refuses a cancelled event with 409 EVENT_NOT_BOOKABLE', async () => {
      const event = await createEvent(t, admin);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      const { body } = await post(customer, { event_id: event.id, quantity: 1 }).expect(409);
      expect(body).toMatchObject({ code: 'EVENT_NOT_BOOKABLE', message: `Event ${event.id} is cancelled` });
    });

    it('refuses more than the per-booking maximum with 400', async () => {
      const event = await createEvent(t, admin);
      const { body } = await post(customer, { event_id: event.id, quantity: 7 }).expect(400);
      expect(body.message).toBe('quantity must not be greater than 6');
    });

    it('refuses an anonymous caller with 401', async () => {
      const event = await createEvent(t, admin);
      await t.http().post('/api/v1/holds').send({ event_id: event.id, quantity: 1 }).expect(401);
    });
  });

  describe('Idempotency-Key on POST /holds', () => {
    const postWithKey = (key: string, body: object) => post(customer, body).set('Idempotency-Key', key);

    it('answers a retry with the same hold and holds once', async () => {
      const event = await createEvent(t, admin);
      const first = await postWithKey('hold-retry', { event_id: event.id, quantity: 2 }).expect(201);
      const retry = await postWithKey('hold-retry', { event_id: event.id, quantity: 2 }).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(await seats(event.id)).toMatchObject({ held: 2 });
    });

    it('refuses a key already used for a booking with 409 IDEMPOTENCY_KEY_REUSED', async () => {
      const event = await createEvent(t, admin);
      const body = { event_id: event.id, quantity: 1 };
      await t
        .http()
        .post('/api/v1/bookings')
        .set(customer.auth)
        .set('Idempotency-Key', 'booked-key')
        .send(body)
        .expect(201);
      const { body: refused } = await postWithKey('booked-key', body).expect(409);
      expect(refused.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await seats(event.id)).toMatchObject({ sold: 1, held: 0 });
    });
  });

  describe('GET /holds/:id', () => {
    it('shows the hold to its owner and to an admin', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      expect(await read(customer, made.id)).toEqual(made);
      expect(await read(admin, made.id)).toEqual(made);
    });

    it("refuses another customer's hold with 403", async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      const other = await registerCustomer(t);
      await t.http().get(`/api/v1/holds/${made.id}`).set(other.auth).expect(403);
    });

    it('answers an unknown hold with 404', async () => {
      const { body } = await t.http().get('/api/v1/holds/999999999').set(admin.auth).expect(404);
      expect(body).toMatchObject({ code: 'NOT_FOUND', message: 'Hold 999999999 not found' });
    });

    it('shows a hold whose time is up as expired, before the sweeper frees its seats', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      await runOut(made.id);
      expect(await read(customer, made.id)).toMatchObject({ status: 'expired' });
    });
  });

  describe('POST /holds/:id/confirm', () => {
    it('turns the hold into a confirmed booking with its tickets: 201, the seats sold instead of held', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '10.00' });
      const made = await hold(t, customer, event.id, 3);
      const res = await confirm(customer, made.id).expect(201);
      expect(res.body).toMatchObject({
        user_id: customer.user.id,
        event_id: event.id,
        quantity: 3,
        status: 'confirmed',
      });
      expect(res.body.tickets).toHaveLength(3);
      expect(res.headers.location).toBe(`/api/v1/bookings/${res.body.id}`);
      expect(await read(customer, made.id)).toMatchObject({ status: 'confirmed', booking_id: res.body.id });
      expect(await seats(event.id)).toEqual({ sold: 3, held: 0, revenue: '30.00' });
    });

    it('charges the amount fixed when the hold was made, whatever the price is now', async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      const made = await hold(t, customer, event.id, 2);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ price: '99.00' }).expect(200);
      const { body } = await confirm(customer, made.id).expect(201);
      expect(body.total_amount).toBe('20.00');
      expect(await seats(event.id)).toMatchObject({ revenue: '20.00' });
    });

    it('answers a second confirmation with 200 and the same booking, selling nothing more', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id, 2);
      const first = await confirm(customer, made.id).expect(201);
      const again = await confirm(customer, made.id).expect(200);
      expect(again.body).toEqual(first.body);
      expect(await seats(event.id)).toMatchObject({ sold: 2, held: 0 });
    });

    it('refuses a released hold with 409 HOLD_NOT_ACTIVE', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      await release(customer, made.id).expect(200);
      const { body } = await confirm(customer, made.id).expect(409);
      expect(body).toMatchObject({ code: 'HOLD_NOT_ACTIVE', message: `Hold ${made.id} is released` });
      expect(await seats(event.id)).toMatchObject({ sold: 0, held: 0 });
    });

    it('confirms a hold whose time is up, before the sweeper passed, from the seats it still holds', async () => {
      const event = await createEvent(t, admin, { capacity: 2 });
      const made = await hold(t, customer, event.id, 2);
      await runOut(made.id);
      await confirm(customer, made.id).expect(201);
      expect(await seats(event.id)).toMatchObject({ sold: 2, held: 0 });
    });

    it('confirms an expired hold when its seats can be taken again, at the same price', async () => {
      const event = await createEvent(t, admin, { capacity: 2, price: '5.00' });
      const made = await hold(t, customer, event.id, 2);
      await runOut(made.id);
      await sweeper.sweep();
      expect(await seats(event.id)).toMatchObject({ held: 0 });
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ price: '7.00' }).expect(200);
      const { body } = await confirm(customer, made.id).expect(201);
      expect(body.total_amount).toBe('10.00');
      expect(await seats(event.id)).toEqual({ sold: 2, held: 0, revenue: '10.00' });
    });

    it('refuses an expired hold whose seats are gone with 409 HOLD_EXPIRED, changing nothing', async () => {
      const event = await createEvent(t, admin, { capacity: 2 });
      const made = await hold(t, customer, event.id, 2);
      await runOut(made.id);
      await sweeper.sweep();
      await book(t, admin, event.id, 1);
      const { body } = await confirm(customer, made.id).expect(409);
      expect(body).toMatchObject({
        code: 'HOLD_EXPIRED',
        message: `Hold ${made.id} has expired and its 2 tickets are gone`,
      });
      expect(await read(customer, made.id)).toMatchObject({ status: 'expired', booking_id: null });
      expect(await seats(event.id)).toMatchObject({ sold: 1, held: 0 });
    });

    it('refuses a hold of an event that has started with 409 EVENT_NOT_BOOKABLE, the hold kept', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      await t.db.query(`UPDATE events SET date_time = now() - interval '1 minute' WHERE id = $1`, [event.id]);
      const { body } = await confirm(customer, made.id).expect(409);
      expect(body).toMatchObject({ code: 'EVENT_NOT_BOOKABLE', message: `Event ${event.id} has already started` });
      expect(await read(customer, made.id)).toMatchObject({ status: 'active' });
      expect(await seats(event.id)).toMatchObject({ sold: 0, held: 1 });
    });

    it("refuses another customer's hold with 403", async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      const other = await registerCustomer(t);
      await confirm(other, made.id).expect(403);
    });

    it('lets an admin confirm a hold for its owner', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      const { body } = await confirm(admin, made.id).expect(201);
      expect(body.user_id).toBe(customer.user.id);
    });
  });

  describe('DELETE /holds/:id', () => {
    it('releases the hold: 200 with status released, its seats available again', async () => {
      const event = await createEvent(t, admin, { capacity: 4 });
      const made = await hold(t, customer, event.id, 3);
      const { body } = await release(customer, made.id).expect(200);
      expect(body).toMatchObject({ id: made.id, status: 'released', booking_id: null });
      expect(await seats(event.id)).toMatchObject({ held: 0 });
      await book(t, admin, event.id, 4);
    });

    it('answers a second release with 200, freeing nothing twice', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id, 2);
      await hold(t, admin, event.id, 1);
      await release(customer, made.id).expect(200);
      const { body } = await release(customer, made.id).expect(200);
      expect(body.status).toBe('released');
      expect(await seats(event.id)).toMatchObject({ held: 1 });
    });

    it('refuses a confirmed hold with 409 HOLD_NOT_ACTIVE', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      await confirm(customer, made.id).expect(201);
      const { body } = await release(customer, made.id).expect(409);
      expect(body).toMatchObject({ code: 'HOLD_NOT_ACTIVE', message: `Hold ${made.id} is confirmed` });
    });

    it('expires, not releases, a hold whose time is up, freeing its seats once', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id, 2);
      await runOut(made.id);
      const { body } = await release(customer, made.id).expect(200);
      expect(body.status).toBe('expired');
      await sweeper.sweep();
      expect(await seats(event.id)).toMatchObject({ held: 0 });
      expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    });

    it("refuses another customer's hold with 403", async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      const other = await registerCustomer(t);
      await release(other, made.id).expect(403);
    });
  });

  describe('expiry', () => {
    it('frees the seats of holds whose time is up when the sweeper passes, and only theirs', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const due = await hold(t, customer, event.id, 3);
      await hold(t, admin, event.id, 2);
      await runOut(due.id);
      await sweeper.sweep();
      expect(await read(customer, due.id)).toMatchObject({ status: 'expired' });
      expect(await seats(event.id)).toMatchObject({ held: 2 });
    });

    it('never frees the same hold twice when two processes sweep at once', async () => {
      const other = await createTestApp();
      other.app.get(SchedulerRegistry).deleteInterval(HoldSweeper.name);
      const event = await createEvent(t, admin, { capacity: 10 });
      const due = await hold(t, customer, event.id, 3);
      await hold(t, admin, event.id, 2);
      await runOut(due.id);
      await Promise.all([sweeper.sweep(), other.app.get(HoldSweeper).sweep()]);
      await other.close();
      expect(await seats(event.id)).toMatchObject({ held: 2 });
      expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    });

    it('lets a sale that finds too few seats reclaim the expired holds first', async () => {
      const event = await createEvent(t, admin, { capacity: 3 });
      const due = await hold(t, customer, event.id, 3);
      await runOut(due.id);
      const other = await registerCustomer(t);
      await book(t, other, event.id, 3);
      expect(await read(customer, due.id)).toMatchObject({ status: 'expired' });
      expect(await seats(event.id)).toMatchObject({ sold: 3, held: 0 });
    });

    it('lets a hold that finds too few seats reclaim the expired holds first', async () => {
      const event = await createEvent(t, admin, { capacity: 3 });
      const due = await hold(t, customer, event.id, 3);
      await runOut(due.id);
      await hold(t, admin, event.id, 3);
      expect(await seats(event.id)).toMatchObject({ held: 3 });
    });
  });

  describe('events', () => {
    it('releases the active holds of a cancelled event', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id, 2);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      expect(await read(customer, made.id)).toMatchObject({ status: 'released' });
      expect(await seats(event.id)).toMatchObject({ held: 0 });
    });

    it('refuses to delete an event that has holds with 409 EVENT_HAS_BOOKINGS', async () => {
      const event = await createEvent(t, admin);
      const made = await hold(t, customer, event.id);
      await release(customer, made.id).expect(200);
      const { body } = await t.http().delete(`/api/v1/events/${event.id}`).set(admin.auth).expect(409);
      expect(body).toMatchObject({
        code: 'EVENT_HAS_BOOKINGS',
        message: `Event ${event.id} has bookings, holds or a waiting list; cancel it instead`,
      });
    });
  });

  it('counts holds created, confirmed, released and expired in /metrics', async () => {
    const metric = async (name: string) => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    };
    const names = ['holds_created_total', 'holds_confirmed_total', 'holds_released_total', 'holds_expired_total'];
    const before = await Promise.all(names.map(metric));
    const event = await createEvent(t, admin);
    const [a, b, c] = [customer, admin, await registerCustomer(t)];
    await confirm(a, (await hold(t, a, event.id)).id).expect(201);
    await release(b, (await hold(t, b, event.id)).id).expect(200);
    await runOut((await hold(t, c, event.id)).id);
    await sweeper.sweep();
    const after = await Promise.all(names.map(metric));
    expect(after.map((n, i) => n - before[i])).toEqual([3, 1, 1, 1]);
  });
});

describe('Holds on their own schedule', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ HOLD_TTL_SECONDS: '1' });
  });
  afterAll(() => t.close());

  it('frees an expired hold within 5 seconds of expires_at, with no request needed', async () => {
    const admin = await createAdmin(t);
    const event = await createEvent(t, admin, { capacity: 4 });
    const made = await hold(t, admin, event.id, 4);
    const expiresAt = Date.parse(made.expires_at);
    let available = 0;
    while (available === 0 && Date.now() < expiresAt + 5000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
      available = body.available_tickets;
    }
    expect(available).toBe(4);
    expect(Date.now()).toBeLessThan(expiresAt + 5000);
  });
});
