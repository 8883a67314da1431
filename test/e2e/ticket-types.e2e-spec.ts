import { SchedulerRegistry } from '@nestjs/schedule';
import { HoldSweeper } from '../../src/modules/holds/hold-sweeper';
import { eventsWithWrongCounters, ticketTypesWithWrongCounters } from '../support/counters';
import { book, cancelBooking, Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** Ticket types through the API: several prices and quotas sharing one event's capacity. */
describe('Ticket types', () => {
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(SchedulerRegistry).deleteInterval(HoldSweeper.name);
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(() => t.close());

  const types = async (eventId: number) =>
    (await t.http().get(`/api/v1/events/${eventId}/ticket-types`).expect(200)).body;
  const defaultType = async (eventId: number) => (await types(eventId))[0];
  const addType = (eventId: number, body: object, caller = admin) =>
    t.http().post(`/api/v1/events/${eventId}/ticket-types`).set(caller.auth).send(body);
  const createType = async (eventId: number, body: object) => (await addType(eventId, body).expect(201)).body;
  const updateType = (id: number, body: object, caller = admin) =>
    t.http().put(`/api/v1/ticket-types/${id}`).set(caller.auth).send(body);
  const deleteType = (id: number, caller = admin) => t.http().delete(`/api/v1/ticket-types/${id}`).set(caller.auth);
  const readType = async (id: number, eventId: number) =>
    (await types(eventId)).find((type: { id: number }) => type.id === id);
  const bookType = (caller: Caller, body: object) => t.http().post('/api/v1/bookings').set(caller.auth).send(body);
  const holdType = (caller: Caller, body: object) => t.http().post('/api/v1/holds').set(caller.auth).send(body);
  /** The customer's hold of `quantity` seats of the type, expected to succeed. */
  const heldAs = async (eventId: number, typeId: number, quantity: number) =>
    (await holdType(customer, { event_id: eventId, ticket_type_id: typeId, quantity }).expect(201)).body;
  /** Time is up for the hold; its seats stay held until something reclaims them. */
  const runOut = (holdId: number) =>
    t.db.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [holdId]);
  const countersAreRight = async (eventId: number) => {
    expect(await ticketTypesWithWrongCounters(t.db, [eventId])).toEqual([]);
    expect(await eventsWithWrongCounters(t.db, [eventId])).toEqual([]);
  };

  describe('GET /events/:id/ticket-types', () => {
    it("gives a new event one default type, General admission at the event's price, without a quota", async () => {
      const event = await createEvent(t, admin, { capacity: 50, price: '12.30' });
      expect(await types(event.id)).toEqual([
        {
          id: expect.any(Number),
          event_id: event.id,
          name: 'General admission',
          price: '12.30',
          quota: null,
          is_default: true,
          hidden: false,
          total_tickets_sold: 0,
          total_tickets_held: 0,
          available_tickets: 50,
          created_at: expect.any(String),
          updated_at: expect.any(String),
        },
      ]);
    });

    it('lists the default type first, then the others in the order they were added', async () => {
      const event = await createEvent(t, admin);
      const vip = await createType(event.id, { name: 'VIP', price: '90.00' });
      const student = await createType(event.id, { name: 'Student', price: '5.00' });
      expect((await types(event.id)).map((type: { name: string }) => type.name)).toEqual([
        'General admission',
        vip.name,
        student.name,
      ]);
    });

    it('answers 404 for an event that does not exist', async () => {
      const res = await t.http().get('/api/v1/events/999999999/ticket-types').expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    });

    it("shows as available the smaller of what the type's quota and the event's capacity have left", async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const roomy = await createType(event.id, { name: 'Roomy', price: '1.00', quota: 8 });
      const tight = await createType(event.id, { name: 'Tight', price: '1.00', quota: 3 });
      await book(t, customer, event.id, 4);
      expect((await readType(roomy.id, event.id)).available_tickets).toBe(6);
      expect((await readType(tight.id, event.id)).available_tickets).toBe(3);
    });
  });

  describe('POST /events/:id/ticket-types', () => {
    it('adds a type with its own price and quota', async () => {
      const event = await createEvent(t, admin, { capacity: 100 });
      const res = await addType(event.id, { name: ' VIP ', price: 150.5, quota: 20 }).expect(201);
      expect(res.body).toMatchObject({
        event_id: event.id,
        name: 'VIP',
        price: '150.50',
        quota: 20,
        is_default: false,
        total_tickets_sold: 0,
        total_tickets_held: 0,
        available_tickets: 20,
      });
    });

    it('leaves the quota out when none is given: the type draws on the event capacity alone', async () => {
      const event = await createEvent(t, admin, { capacity: 40 });
      const type = await createType(event.id, { name: 'Standing', price: '10.00' });
      expect(type).toMatchObject({ quota: null, available_tickets: 40 });
    });

    it('is for admins only', async () => {
      const event = await createEvent(t, admin);
      await addType(event.id, { name: 'VIP', price: '1.00' }, customer).expect(403);
      expect(await types(event.id)).toHaveLength(1);
    });

    it.each([
      ['an empty name', { name: ' ', price: '1.00' }, 'name'],
      ['a negative price', { name: 'VIP', price: '-1.00' }, 'price'],
      ['a price with three decimals', { name: 'VIP', price: '1.005' }, 'price'],
      ['a negative quota', { name: 'VIP', price: '1.00', quota: -1 }, 'quota'],
      ['a fractional quota', { name: 'VIP', price: '1.00', quota: 2.5 }, 'quota'],
    ])('refuses %s with 400 and adds nothing', async (_, body, field) => {
      const event = await createEvent(t, admin);
      const res = await addType(event.id, body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((d: { field: string }) => d.field)).toEqual([field]);
      expect(await types(event.id)).toHaveLength(1);
    });

    it('answers 404 for an event that does not exist', async () => {
      await addType(999999999, { name: 'VIP', price: '1.00' }).expect(404);
    });

    it('refuses a type beyond the 100 an event may have with 400', async () => {
      const event = await createEvent(t, admin);
      await t.db.query(
        `INSERT INTO ticket_types (event_id, name, price) SELECT $1, 'Type ' || i, 1 FROM generate_series(1, 99) i`,
        [event.id],
      );
      const res = await addType(event.id, { name: 'One too many', price: '1.00' }).expect(400);
      expect(res.body.message).toBe(`Event ${event.id} already has the most ticket types an event may have, 100`);
    });
  });

  describe('PUT /ticket-types/:id', () => {
    it('renames, reprices and changes the quota of a type', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '90.00', quota: 5 });
      const res = await updateType(type.id, { name: 'Gold', price: '95.00', quota: 7 }).expect(200);
      expect(res.body).toMatchObject({ id: type.id, name: 'Gold', price: '95.00', quota: 7, available_tickets: 7 });
    });

    it('refuses a quota below what the type has sold and held with 409 CAPACITY_BELOW_SOLD, changing nothing', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '90.00', quota: 5 });
      await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 2 }).expect(201);
      await holdType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 2 }).expect(201);
      const res = await updateType(type.id, { quota: 3, name: 'Gold' }).expect(409);
      expect(res.body).toMatchObject({
        code: 'CAPACITY_BELOW_SOLD',
        message: 'Quota 3 is below the 2 tickets sold and 2 held',
      });
      expect(await readType(type.id, event.id)).toMatchObject({ quota: 5, name: 'VIP' });
    });

    it('lifts the quota with quota: null', async () => {
      const event = await createEvent(t, admin, { capacity: 30 });
      const type = await createType(event.id, { name: 'VIP', price: '90.00', quota: 5 });
      const res = await updateType(type.id, { quota: null }).expect(200);
      expect(res.body).toMatchObject({ quota: null, available_tickets: 30 });
    });

    it("changes the event's price with its default type's", async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      const general = await defaultType(event.id);
      await updateType(general.id, { price: '12.00' }).expect(200);
      const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
      expect(body.price).toBe('12.00');
    });

    it("changes the default type's price with the event's", async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ price: '11.50' }).expect(200);
      expect((await defaultType(event.id)).price).toBe('11.50');
    });

    it("leaves the event's price alone when another type's changes", async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      const type = await createType(event.id, { name: 'VIP', price: '90.00' });
      await updateType(type.id, { price: '80.00' }).expect(200);
      const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
      expect(body.price).toBe('10.00');
    });

    it('is for admins only', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '90.00' });
      await updateType(type.id, { price: '0.00' }, customer).expect(403);
      expect((await readType(type.id, event.id)).price).toBe('90.00');
    });

    it('answers 404 for a type that does not exist', async () => {
      await updateType(999999999, { name: 'Gold' }).expect(404);
    });
  });

  describe('DELETE /ticket-types/:id', () => {
    it('deletes a type nothing was booked or held as', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '90.00' });
      const res = await deleteType(type.id).expect(200);
      expect(res.body).toEqual({ success: true, message: 'Ticket type deleted successfully', data: null });
      expect(await types(event.id)).toHaveLength(1);
    });

    it("refuses the event's default type with 409 TICKET_TYPE_IN_USE", async () => {
      const event = await createEvent(t, admin);
      const res = await deleteType((await defaultType(event.id)).id).expect(409);
      expect(res.body.code).toBe('TICKET_TYPE_IN_USE');
    });

    it('refuses a type with a booking, even a cancelled one, with 409 TICKET_TYPE_IN_USE', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '90.00' });
      const booking = (
        await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 1 }).expect(201)
      ).body;
      await cancelBooking(t, customer, booking.id);
      const res = await deleteType(type.id).expect(409);
      expect(res.body.code).toBe('TICKET_TYPE_IN_USE');
    });

    it('refuses a type with a hold, even a released one, with 409 TICKET_TYPE_IN_USE', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '90.00' });
      const held = await heldAs(event.id, type.id, 1);
      await t.http().delete(`/api/v1/holds/${held.id}`).set(customer.auth).expect(200);
      await deleteType(type.id).expect(409);
    });

    it('is for admins only', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '90.00' });
      await deleteType(type.id, customer).expect(403);
      expect(await types(event.id)).toHaveLength(2);
    });

    it('answers 404 for a type that does not exist', async () => {
      await deleteType(999999999).expect(404);
    });
  });

  describe('booking a ticket type', () => {
    it("charges the type's price times the quantity and names the type", async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      const type = await createType(event.id, { name: 'VIP', price: '33.33' });
      const res = await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 3 }).expect(201);
      expect(res.body).toMatchObject({ ticket_type_id: type.id, total_amount: '99.99', quantity: 3 });
    });

    it("books the event's default type when no ticket_type_id is given", async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      await createType(event.id, { name: 'VIP', price: '33.33' });
      const booking = await book(t, customer, event.id, 2);
      expect(booking).toMatchObject({ ticket_type_id: (await defaultType(event.id)).id, total_amount: '20.00' });
    });

    it("refuses another event's type with 400, selling nothing", async () => {
      const [event, other] = [await createEvent(t, admin), await createEvent(t, admin)];
      const foreign = await defaultType(other.id);
      const res = await bookType(customer, { event_id: event.id, ticket_type_id: foreign.id, quantity: 1 }).expect(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [
          {
            field: 'ticket_type_id',
            message: `ticket_type_id ${foreign.id} is not a ticket type of event ${event.id}`,
          },
        ],
      });
      const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
      expect(body.total_tickets_sold).toBe(0);
    });

    it('refuses a ticket type that does not exist with 400', async () => {
      const event = await createEvent(t, admin);
      await bookType(customer, { event_id: event.id, ticket_type_id: 999999999, quantity: 1 }).expect(400);
    });

    it("refuses more than the type's quota has left with 409 INSUFFICIENT_TICKETS while the event has seats", async () => {
      const event = await createEvent(t, admin, { capacity: 100 });
      const type = await createType(event.id, { name: 'VIP', price: '50.00', quota: 3 });
      await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 2 }).expect(201);
      const res = await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 2 }).expect(409);
      expect(res.body).toMatchObject({
        code: 'INSUFFICIENT_TICKETS',
        message: 'Not enough tickets: 2 requested, 1 available',
      });
    });

    it("refuses more than the event's capacity has left, whatever the type's quota", async () => {
      const event = await createEvent(t, admin, { capacity: 5 });
      const type = await createType(event.id, { name: 'VIP', price: '50.00', quota: 5 });
      await book(t, customer, event.id, 4);
      const res = await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 2 }).expect(409);
      expect(res.body.message).toBe('Not enough tickets: 2 requested, 1 available');
    });

    it("keeps the seats one type holds from every other type's buyers", async () => {
      const event = await createEvent(t, admin, { capacity: 4 });
      const type = await createType(event.id, { name: 'VIP', price: '50.00', quota: 4 });
      await holdType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 3 }).expect(201);
      const other = await registerCustomer(t);
      await bookType(other, { event_id: event.id, quantity: 2 }).expect(409);
      expect((await defaultType(event.id)).available_tickets).toBe(1);
    });

    it('counts a sale on its type: sold and revenue', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '7.25' });
      await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 4 }).expect(201);
      expect(await readType(type.id, event.id)).toMatchObject({ total_tickets_sold: 4, total_tickets_held: 0 });
      await countersAreRight(event.id);
    });

    it('gives a cancelled booking its seats back to its type', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '7.25', quota: 4 });
      const res = await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 4 }).expect(201);
      await cancelBooking(t, customer, res.body.id);
      expect(await readType(type.id, event.id)).toMatchObject({ total_tickets_sold: 0, available_tickets: 4 });
      await countersAreRight(event.id);
    });

    it("keeps a booking's amount when its type's price changes afterwards", async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '10.00' });
      const booking = (
        await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 1 }).expect(201)
      ).body;
      await updateType(type.id, { price: '20.00' }).expect(200);
      const { body } = await t.http().get(`/api/v1/bookings/${booking.id}`).set(customer.auth).expect(200);
      expect(body.total_amount).toBe('10.00');
    });

    it("zeroes every type's counters when the event is cancelled", async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '10.00' });
      await bookType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 2 }).expect(201);
      await holdType(customer, { event_id: event.id, quantity: 1 }).expect(201);
      await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      for (const each of await types(event.id)) {
        expect(each).toMatchObject({ total_tickets_sold: 0, total_tickets_held: 0 });
      }
      await countersAreRight(event.id);
    });
  });

  describe('holding a ticket type', () => {
    it("holds at the type's price and counts the seats as held on the type", async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      const type = await createType(event.id, { name: 'VIP', price: '15.00', quota: 10 });
      const res = await holdType(customer, { event_id: event.id, ticket_type_id: type.id, quantity: 2 }).expect(201);
      expect(res.body).toMatchObject({ ticket_type_id: type.id, total_amount: '30.00' });
      expect(await readType(type.id, event.id)).toMatchObject({ total_tickets_held: 2, available_tickets: 8 });
    });

    it("refuses another event's type with 400, holding nothing", async () => {
      const [event, other] = [await createEvent(t, admin), await createEvent(t, admin)];
      const foreign = await defaultType(other.id);
      const res = await holdType(customer, { event_id: event.id, ticket_type_id: foreign.id, quantity: 1 }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'ticket_type_id' })]);
      expect((await defaultType(event.id)).total_tickets_held).toBe(0);
    });

    it("confirms into a booking of the hold's type at the hold's amount, though the price changed since", async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '15.00' });
      const held = await heldAs(event.id, type.id, 2);
      await updateType(type.id, { price: '99.00' }).expect(200);
      const res = await t.http().post(`/api/v1/holds/${held.id}/confirm`).set(customer.auth).expect(201);
      expect(res.body).toMatchObject({ ticket_type_id: type.id, total_amount: '30.00' });
      expect(await readType(type.id, event.id)).toMatchObject({ total_tickets_sold: 2, total_tickets_held: 0 });
      await countersAreRight(event.id);
    });

    it('gives a released hold its seats back to its type', async () => {
      const event = await createEvent(t, admin);
      const type = await createType(event.id, { name: 'VIP', price: '15.00', quota: 2 });
      const held = await heldAs(event.id, type.id, 2);
      await t.http().delete(`/api/v1/holds/${held.id}`).set(customer.auth).expect(200);
      expect(await readType(type.id, event.id)).toMatchObject({ total_tickets_held: 0, available_tickets: 2 });
      await countersAreRight(event.id);
    });

    it("sells the seats of a type's expired hold to the next buyer of that type", async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const type = await createType(event.id, { name: 'VIP', price: '15.00', quota: 2 });
      const held = await heldAs(event.id, type.id, 2);
      await runOut(held.id);
      const other = await registerCustomer(t);
      await bookType(other, { event_id: event.id, ticket_type_id: type.id, quantity: 2 }).expect(201);
      await countersAreRight(event.id);
    });

    it("refuses confirming an expired hold whose type's quota was sold meanwhile with 409 HOLD_EXPIRED", async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const type = await createType(event.id, { name: 'VIP', price: '15.00', quota: 2 });
      const held = await heldAs(event.id, type.id, 2);
      await runOut(held.id);
      const other = await registerCustomer(t);
      await bookType(other, { event_id: event.id, ticket_type_id: type.id, quantity: 1 }).expect(201);
      const res = await t.http().post(`/api/v1/holds/${held.id}/confirm`).set(customer.auth).expect(409);
      expect(res.body.code).toBe('HOLD_EXPIRED');
      await countersAreRight(event.id);
    });
  });
});
