import { EventEntity } from '../../src/modules/events/entities/event.entity';
import { EVENT_READ_TTL_MS } from '../../src/modules/events/event-reads';
import { eventsWithWrongCounters } from '../support/counters';
import {
  book,
  Caller,
  createAdmin,
  createEvent,
  makeEventInput,
  registerCustomer,
  cancelBooking,
  hold,
} from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

const DAY_MS = 24 * 3600 * 1000;

interface EventBody {
  id: number;
  available_tickets: number;
}

describe('Events', () => {
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(() => t.close());

  const countEvents = () => t.db.getRepository(EventEntity).count();

  describe('POST /events', () => {
    it('creates an event with zeroed counters and all seats available', async () => {
      const input = makeEventInput({ capacity: 250, price: 1500.5 });
      const { body } = await t.http().post('/api/v1/events').set(admin.auth).send(input).expect(201);
      expect(body).toEqual({
        id: expect.any(Number),
        title: input.title,
        description: input.description,
        venue: input.venue,
        date_time: input.date_time,
        capacity: 250,
        price: '1500.50',
        status: 'active',
        total_tickets_sold: 0,
        total_tickets_held: 0,
        total_revenue: '0.00',
        total_bookings: 0,
        available_tickets: 250,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
    });

    it('reads a date-time without an offset as UTC', async () => {
      const body = await createEvent(t, admin, { date_time: '2099-12-25T19:00:00' });
      expect(body.date_time).toBe('2099-12-25T19:00:00.000Z');
    });

    it('converts a date-time with an offset to UTC', async () => {
      const body = await createEvent(t, admin, { date_time: '2099-12-26T02:00:00+07:00' });
      expect(body.date_time).toBe('2099-12-25T19:00:00.000Z');
    });

    it('accepts a free event', async () => {
      expect((await createEvent(t, admin, { price: 0 })).price).toBe('0.00');
    });

    it.each([
      ['a date in the past', { date_time: new Date(Date.now() - DAY_MS).toISOString() }, 'date_time'],
      ['a date that is not a date', { date_time: 'next friday' }, 'date_time'],
      ['an impossible date', { date_time: '2099-02-30T10:00:00Z' }, 'date_time'],
      ['capacity 0', { capacity: 0 }, 'capacity'],
      ['capacity over 1,000,000', { capacity: 1_000_001 }, 'capacity'],
      ['a fractional capacity', { capacity: 10.5 }, 'capacity'],
      ['a capacity sent as a string', { capacity: '100' }, 'capacity'],
      ['a negative price', { price: '-1.00' }, 'price'],
      ['a price with three decimals', { price: '19.999' }, 'price'],
      ['a price over 99999999.99', { price: '100000000.00' }, 'price'],
      ['an empty title', { title: '  ' }, 'title'],
      ['a title over 255 characters', { title: 't'.repeat(256) }, 'title'],
      ['a venue over 500 characters', { venue: 'v'.repeat(501) }, 'venue'],
      ['an unknown status', { status: 'postponed' }, 'status'],
      ['a server-owned counter', { total_tickets_sold: 5 }, 'total_tickets_sold'],
    ])('rejects %s with 400 VALIDATION_FAILED, creating nothing', async (_, change, field) => {
      const before = await countEvents();
      const { body } = await t.http().post('/api/v1/events').set(admin.auth).send(makeEventInput(change)).expect(400);
      expect(body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
      expect(await countEvents()).toBe(before);
    });

    it('is for admins only', async () => {
      const { body } = await t.http().post('/api/v1/events').set(customer.auth).send(makeEventInput()).expect(403);
      expect(body.code).toBe('FORBIDDEN');
      await t.http().post('/api/v1/events').send(makeEventInput()).expect(401);
    });
  });

  describe('GET /events', () => {
    it('is public and orders by date_time, then id', async () => {
      const late = await createEvent(t, admin, { date_time: '2098-06-01T10:00:00Z' });
      const early = await createEvent(t, admin, { date_time: '2098-05-01T10:00:00Z' });
      const sameTime = await createEvent(t, admin, { date_time: '2098-05-01T10:00:00Z' });
      const listed: { id: number; date_time: string }[] = [];
      for (let total = Infinity; listed.length < total;) {
        const res = await t.http().get(`/api/v1/events?limit=100&offset=${listed.length}`).expect(200);
        listed.push(...res.body);
        total = Number(res.headers['x-total-count']);
      }
      const ids = listed.map((e) => e.id);
      expect(ids.indexOf(early.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(early.id)).toBeLessThan(ids.indexOf(sameTime.id));
      expect(ids.indexOf(sameTime.id)).toBeLessThan(ids.indexOf(late.id));
      const times = listed.map((e) => e.date_time);
      expect([...times].sort()).toEqual(times);
    });

    it('filters by status and counts the matches in X-Total-Count', async () => {
      const event = await createEvent(t, admin);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'completed' }).expect(200);
      const res = await t.http().get('/api/v1/events?status=completed&limit=100').expect(200);
      expect(res.body.every((e: { status: string }) => e.status === 'completed')).toBe(true);
      expect(res.body.map((e: { id: number }) => e.id)).toContain(event.id);
      expect(Number(res.headers['x-total-count'])).toBe(
        await t.db.getRepository(EventEntity).countBy({ status: 'completed' as EventEntity['status'] }),
      );
    });

    it('pages with limit and offset', async () => {
      await createEvent(t, admin);
      await createEvent(t, admin);
      const all = (await t.http().get('/api/v1/events?limit=100').expect(200)).body;
      const page = (await t.http().get('/api/v1/events?limit=2&offset=1').expect(200)).body;
      expect(page).toEqual(all.slice(1, 3));
    });

    it('rejects an unknown status filter with 400', async () => {
      await t.http().get('/api/v1/events?status=sold-out').expect(400);
    });
  });

  describe('GET /events/:id', () => {
    it('is public', async () => {
      const event = await createEvent(t, admin);
      expect((await t.http().get(`/api/v1/events/${event.id}`).expect(200)).body).toEqual(event);
    });

    it('answers 404 for an event that does not exist and 400 for a malformed id', async () => {
      expect((await t.http().get('/api/v1/events/2147483647').expect(404)).body.code).toBe('NOT_FOUND');
      expect((await t.http().get('/api/v1/events/abc').expect(400)).body.code).toBe('VALIDATION_FAILED');
    });

    it('shows the counters of its confirmed bookings', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '19.99' });
      await book(t, customer, event.id, 2);
      await book(t, customer, event.id, 3);
      const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
      expect(body).toMatchObject({
        total_tickets_sold: 5,
        total_revenue: '99.95',
        total_bookings: 2,
        available_tickets: 5,
      });
    });
  });

  describe('seats held', () => {
    it('counts held tickets out of the available ones', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      await book(t, customer, event.id, 4);
      await hold(t, customer, event.id, 3);
      const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
      expect(body).toMatchObject({ total_tickets_sold: 4, total_tickets_held: 3, available_tickets: 3 });
    });
  });

  describe('freshness of the public reads', () => {
    const read = async (id: number) => (await t.http().get(`/api/v1/events/${id}`).expect(200)).body;
    /** The event as the list shows it, on whichever page it is. */
    const listed = async (id: number) => {
      for (let offset = 0; ; offset += 100) {
        const page = (await t.http().get(`/api/v1/events?limit=100&offset=${offset}`).expect(200)).body as EventBody[];
        const found = page.find((e) => e.id === id);
        if (found || page.length < 100) return found;
      }
    };

    it('shows a sale through this process at once, in the event and in the list', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      await read(event.id);
      await listed(event.id);
      await book(t, customer, event.id, 4);
      expect((await read(event.id)).available_tickets).toBe(6);
      expect((await listed(event.id))?.available_tickets).toBe(6);
    });

    it('shows a cancellation and an edit through this process at once', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const booking = await book(t, customer, event.id, 4);
      await read(event.id);
      await cancelBooking(t, customer, booking.id);
      expect((await read(event.id)).available_tickets).toBe(10);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ title: 'Renamed' }).expect(200);
      expect((await read(event.id)).title).toBe('Renamed');
    });

    it('shows a change made elsewhere within a second', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      await read(event.id);
      await t.db.query('UPDATE events SET total_tickets_sold = 7 WHERE id = $1', [event.id]);
      await new Promise((done) => setTimeout(done, EVENT_READ_TTL_MS + 50));
      expect((await read(event.id)).available_tickets).toBe(3);
      await t.db.query('UPDATE events SET total_tickets_sold = 0 WHERE id = $1', [event.id]);
    });
  });

  describe('PUT /events/:id', () => {
    it('changes only the fields sent', async () => {
      const event = await createEvent(t, admin);
      const { body } = await t
        .http()
        .put(`/api/v1/events/${event.id}`)
        .set(admin.auth)
        .send({ title: 'Renamed', price: '10' })
        .expect(200);
      expect(body).toMatchObject({ ...event, title: 'Renamed', price: '10.00', updated_at: expect.any(String) });
    });

    it('changes the price of later bookings only', async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      const first = await book(t, customer, event.id, 1);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ price: '12.50' }).expect(200);
      const second = await book(t, customer, event.id, 1);
      expect([first.total_amount, second.total_amount]).toEqual(['10.00', '12.50']);
      const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
      expect(body.total_revenue).toBe('22.50');
    });

    it('refuses a capacity below the tickets sold and held with 409 CAPACITY_BELOW_SOLD', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      await book(t, customer, event.id, 4);
      await hold(t, customer, event.id, 3);
      const { body } = await t
        .http()
        .put(`/api/v1/events/${event.id}`)
        .set(admin.auth)
        .send({ capacity: 6 })
        .expect(409);
      expect(body).toMatchObject({
        code: 'CAPACITY_BELOW_SOLD',
        message: 'Capacity 6 is below the 4 tickets sold and 3 held',
      });
    });

    it('refuses a capacity below the tickets sold with 409 CAPACITY_BELOW_SOLD, changing nothing', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      await book(t, customer, event.id, 4);
      const { body } = await t
        .http()
        .put(`/api/v1/events/${event.id}`)
        .set(admin.auth)
        .send({ capacity: 3, title: 'Smaller' })
        .expect(409);
      expect(body.code).toBe('CAPACITY_BELOW_SOLD');
      expect((await t.http().get(`/api/v1/events/${event.id}`)).body).toMatchObject({
        capacity: 10,
        title: event.title,
      });
    });

    it('accepts a capacity equal to the tickets sold', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      await book(t, customer, event.id, 4);
      const { body } = await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ capacity: 4 });
      expect(body).toMatchObject({ capacity: 4, available_tickets: 0 });
    });

    it('refuses to move the date into the past', async () => {
      const event = await createEvent(t, admin);
      const past = new Date(Date.now() - DAY_MS).toISOString();
      const { body } = await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ date_time: past });
      expect(body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'date_time' }] });
    });

    it('accepts the unchanged date of an event', async () => {
      const event = await createEvent(t, admin);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ date_time: event.date_time }).expect(200);
    });

    it.each([
      ['cancelled', 'active'],
      ['cancelled', 'completed'],
      ['completed', 'active'],
      ['completed', 'cancelled'],
    ])('refuses %s → %s with 409 INVALID_STATUS_TRANSITION', async (from, to) => {
      const event = await createEvent(t, admin);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: from }).expect(200);
      const { body } = await t
        .http()
        .put(`/api/v1/events/${event.id}`)
        .set(admin.auth)
        .send({ status: to })
        .expect(409);
      expect(body.code).toBe('INVALID_STATUS_TRANSITION');
    });

    it('treats setting the current status again as a no-op', async () => {
      const event = await createEvent(t, admin);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      const { body } = await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' });
      expect(body.status).toBe('cancelled');
    });

    it('cancels the confirmed bookings and their tickets when the event is cancelled', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '5.00' });
      const first = await book(t, customer, event.id, 2);
      const second = await book(t, customer, event.id, 3);
      const { body } = await t
        .http()
        .put(`/api/v1/events/${event.id}`)
        .set(admin.auth)
        .send({ status: 'cancelled' })
        .expect(200);
      expect(body).toMatchObject({
        status: 'cancelled',
        total_tickets_sold: 0,
        total_revenue: '0.00',
        total_bookings: 0,
      });
      for (const booking of [first, second]) {
        const { body: after } = await t.http().get(`/api/v1/bookings/${booking.id}`).set(customer.auth).expect(200);
        expect(after.status).toBe('cancelled');
        expect(after.tickets.map((ticket: { status: string }) => ticket.status)).toEqual(
          booking.tickets.map(() => 'cancelled'),
        );
      }
      expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    });

    it('cancels a booking with a checked-in ticket too, the used ticket keeping its record of entry', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const booking = await book(t, customer, event.id, 2);
      const [entered, unused] = booking.tickets.map((ticket: { ticket_code: string }) => ticket.ticket_code);
      const { body: checkedIn } = await t
        .http()
        .post(`/api/v1/tickets/${entered}/check-in`)
        .set(admin.auth)
        .expect(200);

      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);

      const { body: after } = await t.http().get(`/api/v1/bookings/${booking.id}`).set(customer.auth).expect(200);
      expect(after.status).toBe('cancelled');
      expect(after.tickets.find((ticket: { ticket_code: string }) => ticket.ticket_code === entered)).toMatchObject({
        status: 'used',
        used_at: checkedIn.used_at,
      });
      expect(after.tickets.find((ticket: { ticket_code: string }) => ticket.ticket_code === unused).status).toBe(
        'cancelled',
      );
      expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    });

    it('clears the description when it is sent as null, the one field that may be', async () => {
      const event = await createEvent(t, admin, { description: 'Doors at seven' });
      const { body } = await t
        .http()
        .put(`/api/v1/events/${event.id}`)
        .set(admin.auth)
        .send({ description: null })
        .expect(200);
      expect(body.description).toBeNull();
    });

    it('rejects an unknown field and an empty title with 400, changing nothing', async () => {
      const event = await createEvent(t, admin);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ total_revenue: '1.00' }).expect(400);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ title: '' }).expect(400);
      expect((await t.http().get(`/api/v1/events/${event.id}`)).body).toEqual(event);
    });

    it('is for admins only and answers 404 for an unknown event', async () => {
      const event = await createEvent(t, admin);
      await t.http().put(`/api/v1/events/${event.id}`).set(customer.auth).send({ title: 'x' }).expect(403);
      await t.http().put('/api/v1/events/2147483647').set(admin.auth).send({ title: 'x' }).expect(404);
    });
  });

  describe('DELETE /events/:id', () => {
    it('deletes an event without bookings', async () => {
      const event = await createEvent(t, admin);
      const { body } = await t.http().delete(`/api/v1/events/${event.id}`).set(admin.auth).expect(200);
      expect(body).toEqual({ success: true, message: 'Event deleted successfully', data: null });
      await t.http().get(`/api/v1/events/${event.id}`).expect(404);
    });

    it('refuses an event with bookings, even cancelled ones, with 409 EVENT_HAS_BOOKINGS', async () => {
      const event = await createEvent(t, admin);
      const booking = await book(t, customer, event.id);
      await t.http().put(`/api/v1/bookings/${booking.id}/status`).set(customer.auth).send({ status: 'cancelled' });
      const { body } = await t.http().delete(`/api/v1/events/${event.id}`).set(admin.auth).expect(409);
      expect(body.code).toBe('EVENT_HAS_BOOKINGS');
      await t.http().get(`/api/v1/events/${event.id}`).expect(200);
    });

    it('is for admins only and answers 404 for an unknown event', async () => {
      const event = await createEvent(t, admin);
      await t.http().delete(`/api/v1/events/${event.id}`).set(customer.auth).expect(403);
      await t.http().delete('/api/v1/events/2147483647').set(admin.auth).expect(404);
    });
  });
});
