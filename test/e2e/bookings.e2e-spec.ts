import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { BookingEntity } from '../../src/modules/bookings/entities/booking.entity';
import { TicketEntity } from '../../src/modules/tickets/entities/ticket.entity';
import { eventsWithWrongCounters } from '../support/counters';
import { book, Caller, createAdmin, createEvent, hold, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

const TICKET_CODE = /^TKT-\d{8}-[A-Z0-9]{8}$/;

describe('Bookings', () => {
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  beforeAll(async () => {
    t = await createTestApp({ BOOKING_MAX_QUANTITY: '6' });
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(() => t.close());

  const countRows = async () => ({
    bookings: await t.db.getRepository(BookingEntity).count(),
    tickets: await t.db.getRepository(TicketEntity).count(),
  });
  const post = (caller: Caller, body: object) => t.http().post('/api/v1/bookings').set(caller.auth).send(body);
  const cancel = (caller: Caller, bookingId: number) =>
    t.http().put(`/api/v1/bookings/${bookingId}/status`).set(caller.auth).send({ status: 'cancelled' });

  describe('POST /bookings', () => {
    it('books for the caller, with one active ticket per unit and the exact total', async () => {
      const event = await createEvent(t, admin, { price: '1500.00' });
      const { body } = await post(customer, { event_id: event.id, quantity: 3 }).expect(201);
      expect(body).toEqual({
        id: expect.any(Number),
        user_id: customer.user.id,
        event_id: event.id,
        ticket_type_id: expect.any(Number),
        order_id: null,
        quantity: 3,
        total_amount: '4500.00',
        booking_date: expect.any(String),
        status: 'confirmed',
        created_at: expect.any(String),
        updated_at: expect.any(String),
        tickets: Array.from({ length: 3 }, () => ({
          id: expect.any(Number),
          booking_id: body.id,
          ticket_code: expect.stringMatching(TICKET_CODE),
          status: 'active',
          created_at: expect.any(String),
          updated_at: expect.any(String),
          used_at: null,
        })),
      });
    });

    it("dates ticket codes with the booking's UTC day", async () => {
      const event = await createEvent(t, admin);
      const booking = await book(t, customer, event.id, 2);
      const day = booking.booking_date.slice(0, 10).replaceAll('-', '');
      expect(booking.tickets.map((ticket: { ticket_code: string }) => ticket.ticket_code.slice(4, 12))).toEqual([
        day,
        day,
      ]);
    });

    it('counts the sale on the event', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '0.10' });
      await book(t, customer, event.id, 3);
      const { body } = await t.http().get(`/api/v1/events/${event.id}`);
      expect(body).toMatchObject({
        total_tickets_sold: 3,
        total_revenue: '0.30',
        total_bookings: 1,
        available_tickets: 7,
      });
    });

    it('lets an admin book for another user', async () => {
      const event = await createEvent(t, admin);
      const { body } = await post(admin, { user_id: customer.user.id, event_id: event.id, quantity: 1 }).expect(201);
      expect(body.user_id).toBe(customer.user.id);
    });

    it('refuses a customer booking for someone else with 403, booking nothing', async () => {
      const [event, other] = [await createEvent(t, admin), await registerCustomer(t)];
      const before = await countRows();
      const { body } = await post(customer, { user_id: other.user.id, event_id: event.id, quantity: 1 }).expect(403);
      expect(body.code).toBe('FORBIDDEN');
      expect(await countRows()).toEqual(before);
    });

    it('lets a customer name themself as user_id', async () => {
      const event = await createEvent(t, admin);
      await post(customer, { user_id: customer.user.id, event_id: event.id, quantity: 1 }).expect(201);
    });

    it('answers 404 for an admin booking for a user that does not exist', async () => {
      const event = await createEvent(t, admin);
      await post(admin, { user_id: 2147483647, event_id: event.id, quantity: 1 }).expect(404);
    });

    it('answers 404 NOT_FOUND for an event that does not exist', async () => {
      const { body } = await post(customer, { event_id: 2147483647, quantity: 1 }).expect(404);
      expect(body.code).toBe('NOT_FOUND');
    });

    it('answers 409 INSUFFICIENT_TICKETS saying how many are left, booking nothing', async () => {
      const event = await createEvent(t, admin, { capacity: 3 });
      await book(t, customer, event.id, 2);
      const before = await countRows();
      const { body } = await post(customer, { event_id: event.id, quantity: 2 }).expect(409);
      expect(body).toEqual({
        success: false,
        code: 'INSUFFICIENT_TICKETS',
        message: 'Not enough tickets: 2 requested, 1 available',
      });
      expect(await countRows()).toEqual(before);
    });

    it('never sells a held ticket', async () => {
      const event = await createEvent(t, admin, { capacity: 3 });
      await hold(t, admin, event.id, 2);
      const { body } = await post(customer, { event_id: event.id, quantity: 2 }).expect(409);
      expect(body.message).toBe('Not enough tickets: 2 requested, 1 available');
      await post(customer, { event_id: event.id, quantity: 1 }).expect(201);
    });

    it('sells the last ticket', async () => {
      const event = await createEvent(t, admin, { capacity: 3 });
      await book(t, customer, event.id, 2);
      await book(t, customer, event.id, 1);
      expect((await t.http().get(`/api/v1/events/${event.id}`)).body.available_tickets).toBe(0);
    });

    it.each(['cancelled', 'completed'])('answers 409 EVENT_NOT_BOOKABLE for a %s event', async (status) => {
      const event = await createEvent(t, admin);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status }).expect(200);
      const { body } = await post(customer, { event_id: event.id, quantity: 1 }).expect(409);
      expect(body.code).toBe('EVENT_NOT_BOOKABLE');
    });

    it('answers 409 EVENT_NOT_BOOKABLE for an event that has started', async () => {
      const event = await createEvent(t, admin);
      await t.db.query(`UPDATE events SET date_time = now() - interval '1 minute' WHERE id = $1`, [event.id]);
      const { body } = await post(customer, { event_id: event.id, quantity: 1 }).expect(409);
      expect(body).toMatchObject({ code: 'EVENT_NOT_BOOKABLE', message: expect.stringContaining('started') });
    });

    it.each([
      ['quantity 0', { quantity: 0 }, 'quantity'],
      ['a quantity over the configured maximum', { quantity: 7 }, 'quantity'],
      ['a fractional quantity', { quantity: 1.5 }, 'quantity'],
      ['a quantity sent as a string', { quantity: '2' }, 'quantity'],
      ['a missing event_id', { event_id: undefined }, 'event_id'],
      ['a malformed event_id', { event_id: 'abc' }, 'event_id'],
      ['an amount set by the client', { total_amount: '0.01' }, 'total_amount'],
      ['a status set by the client', { status: 'confirmed' }, 'status'],
    ])('rejects %s with 400 VALIDATION_FAILED, booking nothing', async (_, change, field) => {
      const event = await createEvent(t, admin);
      const before = await countRows();
      const { body } = await post(customer, { event_id: event.id, quantity: 1, ...change }).expect(400);
      expect(body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
      expect(await countRows()).toEqual(before);
    });

    it('accepts the configured maximum quantity', async () => {
      const event = await createEvent(t, admin);
      expect((await book(t, customer, event.id, 6)).tickets).toHaveLength(6);
    });

    it('needs a token', async () => {
      const event = await createEvent(t, admin);
      await t.http().post('/api/v1/bookings').send({ event_id: event.id, quantity: 1 }).expect(401);
    });
  });

  describe('GET /bookings/:id', () => {
    it('shows the owner their booking with its tickets', async () => {
      const booking = await book(t, customer, (await createEvent(t, admin)).id, 2);
      const { body } = await t.http().get(`/api/v1/bookings/${booking.id}`).set(customer.auth).expect(200);
      expect(body).toEqual(booking);
    });

    it("refuses another customer's booking with 403 and shows it to an admin", async () => {
      const booking = await book(t, customer, (await createEvent(t, admin)).id);
      const other = await registerCustomer(t);
      await t.http().get(`/api/v1/bookings/${booking.id}`).set(other.auth).expect(403);
      await t.http().get(`/api/v1/bookings/${booking.id}`).set(admin.auth).expect(200);
    });

    it('answers 404 and 400 for a missing and a malformed id', async () => {
      await t.http().get('/api/v1/bookings/2147483647').set(admin.auth).expect(404);
      await t.http().get('/api/v1/bookings/x1').set(admin.auth).expect(400);
    });
  });

  describe('GET /bookings/user/:user_id', () => {
    it("lists a user's bookings newest first, embedding user, event and tickets", async () => {
      const owner = await registerCustomer(t);
      const event = await createEvent(t, admin);
      const older = await book(t, owner, event.id, 1);
      const newer = await book(t, owner, event.id, 2);
      const res = await t.http().get(`/api/v1/bookings/user/${owner.user.id}`).set(owner.auth).expect(200);
      expect(res.headers['x-total-count']).toBe('2');
      expect(res.body.map((b: { id: number }) => b.id)).toEqual([newer.id, older.id]);
      expect(res.body[0]).toEqual({
        ...newer,
        user: owner.user,
        event: expect.objectContaining({ id: event.id, total_tickets_sold: 3 }),
      });
    });

    it('pages with limit and offset', async () => {
      const owner = await registerCustomer(t);
      const event = await createEvent(t, admin);
      const bookings = [await book(t, owner, event.id), await book(t, owner, event.id), await book(t, owner, event.id)];
      const res = await t.http().get(`/api/v1/bookings/user/${owner.user.id}?limit=1&offset=1`).set(owner.auth);
      expect(res.body.map((b: { id: number }) => b.id)).toEqual([bookings[1].id]);
      expect(res.headers['x-total-count']).toBe('3');
    });

    it("refuses another customer's list with 403 and shows it to an admin", async () => {
      const other = await registerCustomer(t);
      await t.http().get(`/api/v1/bookings/user/${other.user.id}`).set(customer.auth).expect(403);
      await t.http().get(`/api/v1/bookings/user/${other.user.id}`).set(admin.auth).expect(200);
    });

    it('answers 404 to an admin for a user that does not exist', async () => {
      await t.http().get('/api/v1/bookings/user/2147483647').set(admin.auth).expect(404);
    });

    it('lists 50 bookings with their user, event and tickets in a bounded number of queries', async () => {
      const owner = await registerCustomer(t);
      for (let i = 0; i < 5; i++) {
        const event = await createEvent(t, admin);
        for (let j = 0; j < 10; j++) await book(t, owner, event.id, 2);
      }
      const query = jest.spyOn(PostgresQueryRunner.prototype, 'query');
      try {
        const res = await t.http().get(`/api/v1/bookings/user/${owner.user.id}?limit=50`).set(owner.auth).expect(200);
        expect(res.body).toHaveLength(50);
        expect(res.body.every((b: { tickets: unknown[] }) => b.tickets.length === 2)).toBe(true);
        // The hold sweeper, the webhook dispatcher and the key purge query on their own clocks meanwhile.
        const background = /\b(holds|webhook_deliveries|idempotency_keys)\b/;
        const requests = query.mock.calls.filter(([sql]) => !background.test(sql));
        // the caller, the user's existence, the page with users and events, the count, the tickets
        expect(requests.length).toBeLessThanOrEqual(5);
      } finally {
        query.mockRestore();
      }
    });
  });

  describe('GET /bookings/event/:event_id', () => {
    it("lists an event's bookings newest first for an admin", async () => {
      const event = await createEvent(t, admin);
      const first = await book(t, customer, event.id);
      const second = await book(t, admin, event.id);
      const res = await t.http().get(`/api/v1/bookings/event/${event.id}`).set(admin.auth).expect(200);
      expect(res.body.map((b: { id: number }) => b.id)).toEqual([second.id, first.id]);
      expect(res.body[1].user).toEqual(customer.user);
      expect(res.headers['x-total-count']).toBe('2');
    });

    it('is for admins only and answers 404 for an event that does not exist', async () => {
      const event = await createEvent(t, admin);
      await t.http().get(`/api/v1/bookings/event/${event.id}`).set(customer.auth).expect(403);
      await t.http().get('/api/v1/bookings/event/2147483647').set(admin.auth).expect(404);
    });
  });

  describe('PUT /bookings/:id/status', () => {
    it('cancels a confirmed booking, its tickets, and returns its seats and amount', async () => {
      const event = await createEvent(t, admin, { capacity: 5, price: '19.99' });
      const booking = await book(t, customer, event.id, 3);
      const { body } = await cancel(customer, booking.id).expect(200);
      expect(body.status).toBe('cancelled');
      expect(body.tickets.every((ticket: { status: string }) => ticket.status === 'cancelled')).toBe(true);
      expect((await t.http().get(`/api/v1/events/${event.id}`)).body).toMatchObject({
        total_tickets_sold: 0,
        total_revenue: '0.00',
        total_bookings: 0,
        available_tickets: 5,
      });
    });

    it('treats cancelling a cancelled booking as a no-op 200', async () => {
      const event = await createEvent(t, admin, { capacity: 5 });
      const booking = await book(t, customer, event.id, 2);
      await cancel(customer, booking.id).expect(200);
      await cancel(customer, booking.id).expect(200);
      expect((await t.http().get(`/api/v1/events/${event.id}`)).body.available_tickets).toBe(5);
    });

    it('treats confirming a confirmed booking as a no-op 200', async () => {
      const booking = await book(t, customer, (await createEvent(t, admin)).id);
      const { body } = await t
        .http()
        .put(`/api/v1/bookings/${booking.id}/status`)
        .set(customer.auth)
        .send({ status: 'confirmed' })
        .expect(200);
      expect(body).toEqual(booking);
    });

    it('refuses to confirm a cancelled booking with 409 INVALID_STATUS_TRANSITION', async () => {
      const booking = await book(t, customer, (await createEvent(t, admin)).id);
      await cancel(customer, booking.id).expect(200);
      const { body } = await t
        .http()
        .put(`/api/v1/bookings/${booking.id}/status`)
        .set(customer.auth)
        .send({ status: 'confirmed' })
        .expect(409);
      expect(body.code).toBe('INVALID_STATUS_TRANSITION');
    });

    it('refuses to cancel a booking with a checked-in ticket, changing nothing', async () => {
      const booking = await book(t, customer, (await createEvent(t, admin)).id, 2);
      await t.http().post(`/api/v1/tickets/${booking.tickets[0].ticket_code}/check-in`).set(admin.auth).expect(200);
      const { body } = await cancel(customer, booking.id).expect(409);
      expect(body.code).toBe('INVALID_STATUS_TRANSITION');
      const after = (await t.http().get(`/api/v1/bookings/${booking.id}`).set(customer.auth)).body;
      expect(after.status).toBe('confirmed');
      expect(after.tickets.map((ticket: { status: string }) => ticket.status)).toEqual(['used', 'active']);
    });

    it("refuses another customer's booking with 403, and lets an admin cancel it", async () => {
      const booking = await book(t, customer, (await createEvent(t, admin)).id);
      const other = await registerCustomer(t);
      await cancel(other, booking.id).expect(403);
      await cancel(admin, booking.id).expect(200);
    });

    it('rejects an unknown status with 400', async () => {
      const booking = await book(t, customer, (await createEvent(t, admin)).id);
      await t
        .http()
        .put(`/api/v1/bookings/${booking.id}/status`)
        .set(customer.auth)
        .send({ status: 'refunded' })
        .expect(400);
    });

    it('returns a cancelled seat to sale', async () => {
      const event = await createEvent(t, admin, { capacity: 1 });
      const booking = await book(t, customer, event.id);
      await cancel(customer, booking.id).expect(200);
      await book(t, customer, event.id);
    });

    it('keeps counters equal to the aggregates through bookings and cancellations', async () => {
      const event = await createEvent(t, admin, { capacity: 50, price: '33.33' });
      const bookings = [];
      for (const quantity of [1, 2, 3, 4, 5, 6]) bookings.push(await book(t, customer, event.id, quantity));
      await cancel(customer, bookings[1].id).expect(200);
      await cancel(customer, bookings[4].id).expect(200);
      expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
      expect((await t.http().get(`/api/v1/events/${event.id}`)).body.total_revenue).toBe('466.62');
    });
  });
});
