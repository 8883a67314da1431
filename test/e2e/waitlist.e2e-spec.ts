import { SchedulerRegistry } from '@nestjs/schedule';
import { HoldSweeper } from '../../src/modules/holds/hold-sweeper';
import { eventsWithWrongCounters, ticketTypesWithWrongCounters } from '../support/counters';
import { book, cancelBooking, Caller, createAdmin, createEvent, hold, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

const OFFER_TTL_SECONDS = 900;

/**
 * Waiting lists through the API. The sweeper is stopped: a test decides when an offer's time is
 * up (by moving its hold's `expires_at` into the past) and when the sweeper passes.
 */
describe('Waiting list', () => {
  let t: TestApp;
  let admin: Caller;
  let sweeper: HoldSweeper;
  beforeAll(async () => {
    t = await createTestApp({ WAITLIST_OFFER_TTL_SECONDS: String(OFFER_TTL_SECONDS), BOOKING_MAX_QUANTITY: '6' });
    t.app.get(SchedulerRegistry).deleteInterval(HoldSweeper.name);
    sweeper = t.app.get(HoldSweeper);
    admin = await createAdmin(t);
  });
  afterAll(() => t.close());

  const join = (caller: Caller, eventId: number, body: object = { quantity: 1 }) =>
    t.http().post(`/api/v1/events/${eventId}/waitlist`).set(caller.auth).send(body);
  /** The caller's new entry, expected to be accepted. */
  const waitFor = async (caller: Caller, eventId: number, quantity = 1, ticketTypeId?: number) =>
    (await join(caller, eventId, { quantity, ticket_type_id: ticketTypeId }).expect(201)).body;
  const entry = async (id: number) => (await t.http().get(`/api/v1/waitlist/${id}`).set(admin.auth).expect(200)).body;
  const leave = (caller: Caller, id: number) => t.http().delete(`/api/v1/waitlist/${id}`).set(caller.auth);
  const readHold = async (id: number) => (await t.http().get(`/api/v1/holds/${id}`).set(admin.auth).expect(200)).body;
  /** An event whose `capacity` seats one buyer has booked, one booking per seat: the bookings. */
  const soldOut = async (capacity = 2, overrides: object = {}) => {
    const event = await createEvent(t, admin, { capacity, ...overrides });
    const buyer = await registerCustomer(t);
    const bookings = [];
    for (let i = 0; i < capacity; i++) bookings.push(await book(t, buyer, event.id, 1));
    return { event, buyer, bookings };
  };
  const runOut = (holdId: number) =>
    t.db.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [holdId]);
  const countersAreRight = async (eventId: number) => {
    expect(await eventsWithWrongCounters(t.db, [eventId])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [eventId])).toEqual([]);
  };

  describe('POST /events/:id/waitlist', () => {
    it('puts the caller on a sold-out event’s list, waiting, first in line', async () => {
      const { event } = await soldOut();
      const customer = await registerCustomer(t);
      const res = await join(customer, event.id, { quantity: 2 }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        event_id: event.id,
        user_id: customer.user.id,
        ticket_type_id: expect.any(Number),
        quantity: 2,
        status: 'waiting',
        position: 1,
        hold_id: null,
        order_id: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(res.headers.location).toBe(`/api/v1/waitlist/${res.body.id}`);
    });

    it('places entries in order of arrival', async () => {
      const { event } = await soldOut();
      const positions = [];
      for (let i = 0; i < 3; i++) positions.push((await waitFor(await registerCustomer(t), event.id)).position);
      expect(positions).toEqual([1, 2, 3]);
    });

    it('refuses with 409 TICKETS_AVAILABLE while the tickets can be booked now', async () => {
      const event = await createEvent(t, admin, { capacity: 3 });
      const res = await join(await registerCustomer(t), event.id, { quantity: 3 }).expect(409);
      expect(res.body.code).toBe('TICKETS_AVAILABLE');
    });

    it('refuses a second open entry of the same user and event with 409 ALREADY_WAITING naming it', async () => {
      const { event } = await soldOut();
      const customer = await registerCustomer(t);
      const first = await waitFor(customer, event.id);
      const res = await join(customer, event.id).expect(409);
      expect(res.body).toMatchObject({
        code: 'ALREADY_WAITING',
        message: `User ${customer.user.id} already has entry ${first.id} open on the waiting list of event ${event.id}`,
      });
    });

    it('refuses a cancelled event with 409 EVENT_NOT_BOOKABLE', async () => {
      const { event } = await soldOut();
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      const res = await join(await registerCustomer(t), event.id).expect(409);
      expect(res.body.code).toBe('EVENT_NOT_BOOKABLE');
    });

    it("refuses another event's ticket type with 400", async () => {
      const { event } = await soldOut();
      const other = await createEvent(t, admin);
      const [foreign] = (await t.http().get(`/api/v1/events/${other.id}/ticket-types`).expect(200)).body;
      const res = await join(await registerCustomer(t), event.id, { quantity: 1, ticket_type_id: foreign.id });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'ticket_type_id' })]);
    });

    it('refuses more seats than one booking may have with 400', async () => {
      const { event } = await soldOut();
      const res = await join(await registerCustomer(t), event.id, { quantity: 7 }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'quantity' })]);
    });

    it('answers 404 for an event that does not exist', async () => {
      await join(await registerCustomer(t), 999999999).expect(404);
    });
  });

  describe('offers', () => {
    it('offers the seats a cancellation frees to the first waiting entry, as a hold for its user', async () => {
      const { event, buyer, bookings } = await soldOut();
      const customer = await registerCustomer(t);
      const waiting = await waitFor(customer, event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      const offered = await entry(waiting.id);
      expect(offered).toMatchObject({ status: 'offered', position: null, hold_id: expect.any(Number) });
      const offer = await readHold(offered.hold_id);
      expect(offer).toMatchObject({ user_id: customer.user.id, quantity: 1, status: 'active' });
      expect(Date.parse(offer.expires_at) - Date.parse(offer.created_at)).toBe(OFFER_TTL_SECONDS * 1000);
      await countersAreRight(event.id);
    });

    it('keeps the freed seats from a buyer who is not waiting', async () => {
      const { event, buyer, bookings } = await soldOut();
      await waitFor(await registerCustomer(t), event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      const res = await t
        .http()
        .post('/api/v1/bookings')
        .set((await registerCustomer(t)).auth)
        .send({ event_id: event.id, quantity: 1 })
        .expect(409);
      expect(res.body.code).toBe('INSUFFICIENT_TICKETS');
    });

    it('passes over an entry the freed seats do not fit, to the next that they fit', async () => {
      const { event, buyer, bookings } = await soldOut();
      const big = await waitFor(await registerCustomer(t), event.id, 2);
      const small = await waitFor(await registerCustomer(t), event.id, 1);
      await cancelBooking(t, buyer, bookings[0].id);
      expect((await entry(big.id)).status).toBe('waiting');
      expect((await entry(small.id)).status).toBe('offered');
    });

    it('makes no second offer to an entry: the next freed seat goes to the next entry', async () => {
      const { event, buyer, bookings } = await soldOut();
      const first = await waitFor(await registerCustomer(t), event.id);
      const second = await waitFor(await registerCustomer(t), event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      await cancelBooking(t, buyer, bookings[1].id);
      const [a, b] = [await entry(first.id), await entry(second.id)];
      expect([a.status, b.status]).toEqual(['offered', 'offered']);
      expect(a.hold_id).not.toBe(b.hold_id);
    });

    it('fulfils the entry when its offer is confirmed', async () => {
      const { event, buyer, bookings } = await soldOut();
      const customer = await registerCustomer(t);
      const waiting = await waitFor(customer, event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      const { hold_id } = await entry(waiting.id);
      await t.http().post(`/api/v1/holds/${hold_id}/confirm`).set(customer.auth).expect(201);
      expect((await entry(waiting.id)).status).toBe('fulfilled');
      await countersAreRight(event.id);
    });

    it('expires the entry when its offer is released, and offers the seats to the next entry', async () => {
      const { event, buyer, bookings } = await soldOut();
      const customer = await registerCustomer(t);
      const first = await waitFor(customer, event.id);
      const second = await waitFor(await registerCustomer(t), event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      await t
        .http()
        .delete(`/api/v1/holds/${(await entry(first.id)).hold_id}`)
        .set(customer.auth)
        .expect(200);
      expect((await entry(first.id)).status).toBe('expired');
      expect((await entry(second.id)).status).toBe('offered');
      await countersAreRight(event.id);
    });

    it('expires the entry when its offer runs out, and offers the seats to the next entry', async () => {
      const { event, buyer, bookings } = await soldOut();
      const first = await waitFor(await registerCustomer(t), event.id);
      const second = await waitFor(await registerCustomer(t), event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      await runOut((await entry(first.id)).hold_id);
      await sweeper.sweep();
      expect((await entry(first.id)).status).toBe('expired');
      expect((await entry(second.id)).status).toBe('offered');
      await countersAreRight(event.id);
    });

    it('refuses confirming an offer that ran out with 409 HOLD_EXPIRED', async () => {
      const { event, buyer, bookings } = await soldOut();
      const customer = await registerCustomer(t);
      const waiting = await waitFor(customer, event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      const { hold_id } = await entry(waiting.id);
      await runOut(hold_id);
      await sweeper.sweep();
      const res = await t.http().post(`/api/v1/holds/${hold_id}/confirm`).set(customer.auth).expect(409);
      expect(res.body.code).toBe('HOLD_EXPIRED');
      await countersAreRight(event.id);
    });

    it("offers an expired checkout hold's seats to the waiting entry", async () => {
      const event = await createEvent(t, admin, { capacity: 1 });
      const holder = await registerCustomer(t);
      const checkout = await hold(t, holder, event.id, 1);
      const waiting = await waitFor(await registerCustomer(t), event.id);
      await runOut(checkout.id);
      await sweeper.sweep();
      expect((await entry(waiting.id)).status).toBe('offered');
    });

    it('makes an offer to a user who already has a checkout hold of the event', async () => {
      const { event, buyer, bookings } = await soldOut(3);
      const customer = await registerCustomer(t);
      await cancelBooking(t, buyer, bookings[0].id);
      await hold(t, customer, event.id, 1);
      const waiting = await waitFor(customer, event.id);
      await cancelBooking(t, buyer, bookings[1].id);
      expect((await entry(waiting.id)).status).toBe('offered');
    });

    it('offers the seats a raised capacity adds', async () => {
      const { event } = await soldOut();
      const waiting = await waitFor(await registerCustomer(t), event.id, 2);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ capacity: 4 }).expect(200);
      expect((await entry(waiting.id)).status).toBe('offered');
      await countersAreRight(event.id);
    });

    it('serves each entry from its own ticket type: a raised quota offers to those waiting for that type', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const vip = (
        await t
          .http()
          .post(`/api/v1/events/${event.id}/ticket-types`)
          .set(admin.auth)
          .send({ name: 'VIP', price: '50.00', quota: 1 })
          .expect(201)
      ).body;
      await t
        .http()
        .post('/api/v1/bookings')
        .set((await registerCustomer(t)).auth)
        .send({ event_id: event.id, ticket_type_id: vip.id, quantity: 1 })
        .expect(201);
      const waiting = await waitFor(await registerCustomer(t), event.id, 1, vip.id);
      expect(waiting).toMatchObject({ ticket_type_id: vip.id, status: 'waiting' });
      await t.http().put(`/api/v1/ticket-types/${vip.id}`).set(admin.auth).send({ quota: 2 }).expect(200);
      const offered = await entry(waiting.id);
      expect((await readHold(offered.hold_id)).ticket_type_id).toBe(vip.id);
      await countersAreRight(event.id);
    });

    it('ends the waiting and offered entries when the event is cancelled, releasing the offers', async () => {
      const { event, buyer, bookings } = await soldOut();
      const offered = await waitFor(await registerCustomer(t), event.id);
      const waiting = await waitFor(await registerCustomer(t), event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      const [a, b] = [await entry(offered.id), await entry(waiting.id)];
      expect([a.status, b.status]).toEqual(['expired', 'expired']);
      expect((await readHold(a.hold_id)).status).toBe('released');
      await countersAreRight(event.id);
    });
  });

  describe('what a waiting list keeps', () => {
    it('keeps a ticket type with waiting entries from being deleted: 409 TICKET_TYPE_IN_USE', async () => {
      const event = await createEvent(t, admin, { capacity: 5 });
      const vip = (
        await t
          .http()
          .post(`/api/v1/events/${event.id}/ticket-types`)
          .set(admin.auth)
          .send({ name: 'VIP', price: '50.00', quota: 0 })
          .expect(201)
      ).body;
      await waitFor(await registerCustomer(t), event.id, 1, vip.id);
      const res = await t.http().delete(`/api/v1/ticket-types/${vip.id}`).set(admin.auth).expect(409);
      expect(res.body.code).toBe('TICKET_TYPE_IN_USE');
    });
  });

  describe('DELETE /waitlist/:id', () => {
    it('takes a waiting entry off the list', async () => {
      const { event } = await soldOut();
      const customer = await registerCustomer(t);
      const first = await waitFor(customer, event.id);
      const second = await waitFor(await registerCustomer(t), event.id);
      const res = await leave(customer, first.id).expect(200);
      expect(res.body).toMatchObject({ status: 'left', position: null });
      expect((await entry(second.id)).position).toBe(1);
    });

    it('releases an open offer and offers its seats to the next entry', async () => {
      const { event, buyer, bookings } = await soldOut();
      const customer = await registerCustomer(t);
      const first = await waitFor(customer, event.id);
      const second = await waitFor(await registerCustomer(t), event.id);
      await cancelBooking(t, buyer, bookings[0].id);
      await leave(customer, first.id).expect(200);
      expect((await entry(first.id)).status).toBe('left');
      expect((await entry(second.id)).status).toBe('offered');
      await countersAreRight(event.id);
    });

    it('changes nothing on an entry that has ended', async () => {
      const { event } = await soldOut();
      const customer = await registerCustomer(t);
      const waiting = await waitFor(customer, event.id);
      const left = (await leave(customer, waiting.id).expect(200)).body;
      expect((await leave(customer, waiting.id).expect(200)).body).toEqual(left);
    });

    it("refuses another customer's entry with 403", async () => {
      const { event } = await soldOut();
      const waiting = await waitFor(await registerCustomer(t), event.id);
      await leave(await registerCustomer(t), waiting.id).expect(403);
      expect((await entry(waiting.id)).status).toBe('waiting');
    });
  });

  describe('reading the lists', () => {
    it("lists an event's entries in order of arrival for an admin, paged, with the count", async () => {
      const { event } = await soldOut();
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await waitFor(await registerCustomer(t), event.id)).id);
      const res = await t.http().get(`/api/v1/events/${event.id}/waitlist?limit=2`).set(admin.auth).expect(200);
      expect(res.body.map((e: { id: number }) => e.id)).toEqual(ids.slice(0, 2));
      expect(res.headers['x-total-count']).toBe('3');
    });

    it("keeps an event's list from customers", async () => {
      const { event } = await soldOut();
      await t
        .http()
        .get(`/api/v1/events/${event.id}/waitlist`)
        .set((await registerCustomer(t)).auth)
        .expect(403);
    });

    it("lists a user's entries for that user, newest first", async () => {
      const customer = await registerCustomer(t);
      const first = await waitFor(customer, (await soldOut()).event.id);
      const second = await waitFor(customer, (await soldOut()).event.id);
      const res = await t.http().get(`/api/v1/waitlist/user/${customer.user.id}`).set(customer.auth).expect(200);
      expect(res.body.map((e: { id: number }) => e.id)).toEqual([second.id, first.id]);
    });

    it("refuses another customer's entry and list with 403", async () => {
      const owner = await registerCustomer(t);
      const waiting = await waitFor(owner, (await soldOut()).event.id);
      const other = await registerCustomer(t);
      await t.http().get(`/api/v1/waitlist/${waiting.id}`).set(other.auth).expect(403);
      await t.http().get(`/api/v1/waitlist/user/${owner.user.id}`).set(other.auth).expect(403);
    });
  });
});
