import { SchedulerRegistry } from '@nestjs/schedule';
import { HoldSweeper } from '../../src/modules/holds/hold-sweeper';
import { eventsWithWrongCounters, ticketTypesWithWrongCounters } from '../support/counters';
import { book, Caller, createAdmin, createEvent, hold, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { orderTimeIsUp } from '../support/storm';

/**
 * Orders through the API, one rule of the contract's Orders section per test. The sweeper is
 * stopped here so that a test decides when time is up (by moving an order's `expires_at` into
 * the past) and when the sweeper passes (`sweep()`).
 */
describe('Orders', () => {
  let t: TestApp;
  let admin: Caller;
  let sweeper: HoldSweeper;
  beforeAll(async () => {
    t = await createTestApp({ BOOKING_MAX_QUANTITY: '6', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    t.app.get(SchedulerRegistry).deleteInterval(HoldSweeper.name);
    sweeper = t.app.get(HoldSweeper);
    admin = await createAdmin(t);
  });
  afterAll(() => t.close());

  const api = () => t.http();
  const post = (caller: Caller, body: object) => api().post('/api/v1/orders').set(caller.auth).send(body);
  const confirm = (caller: Caller, id: number) => api().post(`/api/v1/orders/${id}/confirm`).set(caller.auth);
  const cancel = (caller: Caller, id: number) => api().post(`/api/v1/orders/${id}/cancel`).set(caller.auth);
  const read = async (caller: Caller, id: number) =>
    (await api().get(`/api/v1/orders/${id}`).set(caller.auth).expect(200)).body;
  const seats = async (eventId: number) =>
    (
      await t.db.query(
        `SELECT total_tickets_sold AS sold, total_tickets_held AS held, total_revenue::text AS revenue
           FROM events WHERE id = $1`,
        [eventId],
      )
    )[0] as { sold: number; held: number; revenue: string };
  const typeSeats = async (typeId: number) =>
    (
      await t.db.query(
        'SELECT total_tickets_sold AS sold, total_tickets_held AS held FROM ticket_types WHERE id = $1',
        [typeId],
      )
    )[0] as { sold: number; held: number };
  const addType = async (eventId: number, name: string, price: string, quota?: number) =>
    (
      await api()
        .post(`/api/v1/events/${eventId}/ticket-types`)
        .set(admin.auth)
        .send({ name, price, ...(quota === undefined ? {} : { quota }) })
        .expect(201)
    ).body as { id: number };
  /** An event of `capacity` seats at 10.00, with a VIP type at 25.00 (quota `vipQuota`). */
  const shop = async (capacity = 10, vipQuota?: number) => {
    const event = await createEvent(t, admin, { capacity, price: '10.00' });
    const vip = await addType(event.id, 'VIP', '25.00', vipQuota);
    return { event, vip };
  };
  const familyOrder = (eventId: number, vipId: number) => ({
    event_id: eventId,
    lines: [{ quantity: 2 }, { ticket_type_id: vipId, quantity: 1 }],
  });
  /** Moves the order's time past, as if HOLD_TTL_SECONDS had gone by. */
  const timeIsUp = (orderId: number) => orderTimeIsUp(t.db, orderId);
  const expectCountersRight = async (eventId: number) => {
    expect(await eventsWithWrongCounters(t.db, [eventId])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [eventId])).toEqual([]);
  };

  describe('POST /orders', () => {
    it('holds every line as one pending order, each at its type price, counted held on the event and each type', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const res = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      expect(res.headers.location).toBe(`/api/v1/orders/${res.body.id}`);
      expect(res.body).toMatchObject({
        user_id: buyer.user.id,
        event_id: event.id,
        status: 'pending',
        quantity: 3,
        subtotal_amount: '45.00',
        discount_amount: '0.00',
        total_amount: '45.00',
        refunded_amount: '0.00',
        promo_code: null,
        paid_at: null,
        payment: null,
        booking_ids: [],
        refunds: [],
      });
      expect(res.body.lines).toEqual([
        {
          ticket_type_id: (await api().get(`/api/v1/events/${event.id}/ticket-types`).expect(200)).body[0].id,
          quantity: 2,
          unit_price: '10.00',
          discount_amount: '0.00',
          amount: '20.00',
        },
        { ticket_type_id: vip.id, quantity: 1, unit_price: '25.00', discount_amount: '0.00', amount: '25.00' },
      ]);
      expect(await seats(event.id)).toEqual({ sold: 0, held: 3, revenue: '0.00' });
      expect(await typeSeats(vip.id)).toEqual({ sold: 0, held: 1 });
      await expectCountersRight(event.id);
    });

    it('lasts HOLD_TTL_SECONDS from when it is made', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      expect(new Date(body.expires_at).getTime() - new Date(body.created_at).getTime()).toBe(600_000);
    });

    it('holds nothing when one line does not fit, naming its type and what it found', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop(10, 1);
      const res = await post(buyer, {
        event_id: event.id,
        lines: [{ quantity: 2 }, { ticket_type_id: vip.id, quantity: 3 }],
      });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'INSUFFICIENT_TICKETS', message: 'VIP: 3 requested, 1 available' });
      expect(await seats(event.id)).toMatchObject({ held: 0 });
      expect(await t.db.query('SELECT id FROM orders WHERE event_id = $1', [event.id])).toEqual([]);
    });

    it('refuses lines that together need more seats than the event has left', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop(3);
      const res = await post(buyer, {
        event_id: event.id,
        lines: [{ quantity: 2 }, { ticket_type_id: vip.id, quantity: 2 }],
      });
      expect(res.status).toBe(409);
      expect(res.body.message).toBe('VIP: 2 requested, 1 available');
      expect(await seats(event.id)).toMatchObject({ held: 0 });
    });

    it.each([
      ['no line', []],
      ['21 lines', Array.from({ length: 21 }, () => ({ quantity: 1 }))],
      ['a quantity of 0', [{ quantity: 0 }]],
      ['the default type twice', [{ quantity: 1 }, { quantity: 1 }]],
      [
        'a type twice',
        [
          { ticket_type_id: 'VIP', quantity: 1 },
          { ticket_type_id: 'VIP', quantity: 1 },
        ],
      ],
      ['the default type named and left out', [{ ticket_type_id: 'default', quantity: 1 }, { quantity: 1 }]],
    ])('answers 400 for an order with %s, holding nothing', async (_, lines) => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const [general] = (await api().get(`/api/v1/events/${event.id}/ticket-types`).expect(200)).body;
      const typeIds: Record<string, number> = { VIP: vip.id, default: general.id };
      const named = (lines as { ticket_type_id?: string; quantity: number }[]).map((line) =>
        line.ticket_type_id === undefined ? line : { ...line, ticket_type_id: typeIds[line.ticket_type_id] },
      );
      const res = await post(buyer, { event_id: event.id, lines: named });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(await seats(event.id)).toMatchObject({ held: 0 });
    });

    it('answers 400 for a line of a ticket type of another event', async () => {
      const buyer = await registerCustomer(t);
      const { event } = await shop();
      const other = await shop();
      const res = await post(buyer, { event_id: event.id, lines: [{ ticket_type_id: other.vip.id, quantity: 1 }] });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          field: 'ticket_type_id',
          message: `ticket_type_id ${other.vip.id} is not a ticket type of event ${event.id}`,
        },
      ]);
    });

    it('answers 400 when the lines add up to more than the per-booking maximum', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const res = await post(buyer, {
        event_id: event.id,
        lines: [{ quantity: 4 }, { ticket_type_id: vip.id, quantity: 3 }],
      });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('lines');
    });

    it('answers 404 for an event that does not exist and 409 for one that is not bookable', async () => {
      const buyer = await registerCustomer(t);
      await post(buyer, { event_id: 2147483647, lines: [{ quantity: 1 }] }).expect(404);
      const { event } = await shop();
      await api().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      const res = await post(buyer, { event_id: event.id, lines: [{ quantity: 1 }] });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('EVENT_NOT_BOOKABLE');
    });

    it("is the user's one active hold for the event: a second order or a hold is 409 HOLD_EXISTS naming it", async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      const again = await post(buyer, { event_id: event.id, lines: [{ quantity: 1 }] });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'HOLD_EXISTS',
        message: `User ${buyer.user.id} already has order ${order.id} active for event ${event.id}`,
      });
      const held = await api().post('/api/v1/holds').set(buyer.auth).send({ event_id: event.id, quantity: 1 });
      expect(held.status).toBe(409);
      expect(held.body.code).toBe('HOLD_EXISTS');
    });

    it('is refused while the user has an active hold for the event', async () => {
      const buyer = await registerCustomer(t);
      const { event } = await shop();
      const kept = await hold(t, buyer, event.id, 1);
      const res = await post(buyer, { event_id: event.id, lines: [{ quantity: 1 }] });
      expect(res.status).toBe(409);
      expect(res.body.message).toBe(`User ${buyer.user.id} already has hold ${kept.id} active for event ${event.id}`);
    });

    it('is paid at once when its total is 0.00', async () => {
      const buyer = await registerCustomer(t);
      const event = await createEvent(t, admin, { capacity: 5, price: '0.00' });
      const { body } = await post(buyer, { event_id: event.id, lines: [{ quantity: 2 }] }).expect(201);
      expect(body).toMatchObject({ status: 'paid', total_amount: '0.00' });
      expect(body.booking_ids).toHaveLength(1);
      expect(await seats(event.id)).toEqual({ sold: 2, held: 0, revenue: '0.00' });
    });

    it('lets an admin order for another user, and a customer only for themself', async () => {
      const buyer = await registerCustomer(t);
      const other = await registerCustomer(t);
      const { event } = await shop();
      const byAdmin = await post(admin, { event_id: event.id, user_id: buyer.user.id, lines: [{ quantity: 1 }] });
      expect(byAdmin.status).toBe(201);
      expect(byAdmin.body.user_id).toBe(buyer.user.id);
      await post(buyer, { event_id: event.id, user_id: other.user.id, lines: [{ quantity: 1 }] }).expect(403);
    });

    it('answers a retry with the same Idempotency-Key with the same order, holding nothing twice', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const send = () => post(buyer, familyOrder(event.id, vip.id)).set('Idempotency-Key', `checkout-${event.id}`);
      const first = await send().expect(201);
      const retry = await send().expect(201);
      expect(retry.body).toEqual(first.body);
      expect(await seats(event.id)).toMatchObject({ held: 3 });
    });
  });

  describe('POST /orders/:id/confirm', () => {
    it('makes one booking per line, in line order, each costing its line, adding up to the total', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      const paid = await confirm(buyer, order.id).expect(201);
      expect(paid.body).toMatchObject({ status: 'paid', total_amount: '45.00' });
      expect(paid.body.paid_at).not.toBeNull();
      const bookings = await Promise.all(
        paid.body.booking_ids.map(
          async (id: number) => (await api().get(`/api/v1/bookings/${id}`).set(buyer.auth).expect(200)).body,
        ),
      );
      expect(bookings.map((b) => [b.ticket_type_id, b.quantity, b.total_amount, b.order_id, b.tickets.length])).toEqual(
        [
          [order.lines[0].ticket_type_id, 2, '20.00', order.id, 2],
          [vip.id, 1, '25.00', order.id, 1],
        ],
      );
      expect(await seats(event.id)).toEqual({ sold: 3, held: 0, revenue: '45.00' });
      await expectCountersRight(event.id);
    });

    it('answers 200 with the same order when confirmed again', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      const first = await confirm(buyer, order.id).expect(201);
      const again = await confirm(buyer, order.id).expect(200);
      expect(again.body).toEqual(first.body);
      expect(await seats(event.id)).toMatchObject({ sold: 3 });
    });

    it("answers 403 to another customer, and lets an admin confirm anyone's", async () => {
      const buyer = await registerCustomer(t);
      const other = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      await confirm(other, order.id).expect(403);
      await confirm(admin, order.id).expect(201);
    });

    it('pays an expired order whose seats can all be taken again', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      await timeIsUp(order.id);
      await sweeper.sweep();
      expect((await read(buyer, order.id)).status).toBe('expired');
      const paid = await confirm(buyer, order.id).expect(201);
      expect(paid.body.status).toBe('paid');
      expect(await seats(event.id)).toEqual({ sold: 3, held: 0, revenue: '45.00' });
      await expectCountersRight(event.id);
    });

    it('refuses an expired order one of whose lines is gone with 409 ORDER_EXPIRED, changing nothing', async () => {
      const buyer = await registerCustomer(t);
      const rival = await registerCustomer(t);
      const { event, vip } = await shop(10, 1);
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      await timeIsUp(order.id);
      await sweeper.sweep();
      await api()
        .post('/api/v1/bookings')
        .set(rival.auth)
        .send({ event_id: event.id, ticket_type_id: vip.id, quantity: 1 })
        .expect(201);
      const res = await confirm(buyer, order.id);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('ORDER_EXPIRED');
      expect(await seats(event.id)).toEqual({ sold: 1, held: 0, revenue: '25.00' });
      expect((await read(buyer, order.id)).status).toBe('expired');
    });

    it('refuses a cancelled order with 409 ORDER_NOT_PENDING', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      await cancel(buyer, order.id).expect(200);
      const res = await confirm(buyer, order.id);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('ORDER_NOT_PENDING');
    });
  });

  describe('expiry', () => {
    it('frees all its seats once its time is up, and says expired at once', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      await timeIsUp(order.id);
      expect((await read(buyer, order.id)).status).toBe('expired');
      await sweeper.sweep();
      await sweeper.sweep();
      expect(await seats(event.id)).toEqual({ sold: 0, held: 0, revenue: '0.00' });
      expect(await typeSeats(vip.id)).toEqual({ sold: 0, held: 0 });
      const [row] = await t.db.query('SELECT status FROM orders WHERE id = $1', [order.id]);
      expect(row.status).toBe('expired');
      await expectCountersRight(event.id);
    });

    it('offers the seats it frees to the waiting list first', async () => {
      const buyer = await registerCustomer(t);
      const waiting = await registerCustomer(t);
      const { event } = await shop(2);
      const { body: order } = await post(buyer, { event_id: event.id, lines: [{ quantity: 2 }] }).expect(201);
      const { body: entry } = await api()
        .post(`/api/v1/events/${event.id}/waitlist`)
        .set(waiting.auth)
        .send({ quantity: 2 })
        .expect(201);
      await timeIsUp(order.id);
      await sweeper.sweep();
      const offered = (await api().get(`/api/v1/waitlist/${entry.id}`).set(waiting.auth).expect(200)).body;
      expect(offered.status).toBe('offered');
      expect(await seats(event.id)).toMatchObject({ held: 2 });
    });

    it('lets a sale that needs its seats take them before the sweeper passes', async () => {
      const buyer = await registerCustomer(t);
      const rival = await registerCustomer(t);
      const { event } = await shop(2);
      const { body: order } = await post(buyer, { event_id: event.id, lines: [{ quantity: 2 }] }).expect(201);
      await timeIsUp(order.id);
      await book(t, rival, event.id, 2);
      expect((await read(buyer, order.id)).status).toBe('expired');
      await expectCountersRight(event.id);
    });
  });

  describe('POST /orders/:id/payment', () => {
    it('answers 404 without a payment provider: the buyer confirms the order instead', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const made = (await post(buyer, familyOrder(event.id, vip.id)).expect(201)).body;
      const res = await api().post(`/api/v1/orders/${made.id}/payment`).set(buyer.auth).expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    });
  });

  describe('POST /orders/:id/cancel', () => {
    it('cancels a pending order and frees its seats; again changes nothing', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      const res = await cancel(buyer, order.id).expect(200);
      expect(res.body.status).toBe('cancelled');
      expect(await seats(event.id)).toMatchObject({ held: 0 });
      expect((await cancel(buyer, order.id).expect(200)).body).toEqual(res.body);
      await expectCountersRight(event.id);
    });

    it('refuses an expired order with 409 ORDER_NOT_PENDING', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      await timeIsUp(order.id);
      const res = await cancel(buyer, order.id);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('ORDER_NOT_PENDING');
    });

    it('cancels every booking of a paid order, refunds each, and makes it refunded', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      const { body: paid } = await confirm(buyer, order.id).expect(201);
      const { body: refunded } = await cancel(buyer, order.id).expect(200);
      expect(refunded).toMatchObject({ status: 'refunded', refunded_amount: '45.00', booking_ids: paid.booking_ids });
      expect(
        refunded.refunds.map((r: { booking_id: number; amount: string; status: string; reference: null }) => [
          r.booking_id,
          r.amount,
          r.status,
          r.reference,
        ]),
      ).toEqual([
        [paid.booking_ids[0], '20.00', 'succeeded', null],
        [paid.booking_ids[1], '25.00', 'succeeded', null],
      ]);
      for (const id of paid.booking_ids) {
        expect((await api().get(`/api/v1/bookings/${id}`).set(buyer.auth).expect(200)).body.status).toBe('cancelled');
      }
      expect(await seats(event.id)).toEqual({ sold: 0, held: 0, revenue: '0.00' });
      await expectCountersRight(event.id);
    });

    it('refuses a customer after REFUND_CUTOFF_SECONDS before the event, but not an admin', async () => {
      const cutoff = await createTestApp({ REFUND_CUTOFF_SECONDS: String(3 * 86_400) });
      try {
        const staff = await createAdmin(cutoff);
        const buyer = await registerCustomer(cutoff);
        const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
        const event = await createEvent(cutoff, staff, { capacity: 5, price: '10.00', date_time: inTwoDays });
        const orderOf = async () => {
          const { body } = await cutoff
            .http()
            .post('/api/v1/orders')
            .set(buyer.auth)
            .send({ event_id: event.id, lines: [{ quantity: 1 }] })
            .expect(201);
          return (await cutoff.http().post(`/api/v1/orders/${body.id}/confirm`).set(buyer.auth).expect(201)).body;
        };
        const order = await orderOf();
        const refused = await cutoff.http().post(`/api/v1/orders/${order.id}/cancel`).set(buyer.auth);
        expect(refused.status).toBe(409);
        expect(refused.body.code).toBe('REFUND_NOT_ALLOWED');
        const booking = await cutoff
          .http()
          .put(`/api/v1/bookings/${order.booking_ids[0]}/status`)
          .set(buyer.auth)
          .send({ status: 'cancelled' });
        expect(booking.status).toBe(409);
        expect(booking.body.code).toBe('REFUND_NOT_ALLOWED');
        await cutoff.http().post(`/api/v1/orders/${order.id}/cancel`).set(staff.auth).expect(200);
      } finally {
        await cutoff.close();
      }
    });

    it('cancels nothing of a paid order with a checked-in ticket: 409 INVALID_STATUS_TRANSITION', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      const { body: paid } = await confirm(buyer, order.id).expect(201);
      const vipBooking = (await api().get(`/api/v1/bookings/${paid.booking_ids[1]}`).set(buyer.auth).expect(200)).body;
      await api().post(`/api/v1/tickets/${vipBooking.tickets[0].ticket_code}/check-in`).set(admin.auth).expect(200);
      const res = await cancel(buyer, order.id);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('INVALID_STATUS_TRANSITION');
      expect((await read(buyer, order.id)).status).toBe('paid');
      expect(await seats(event.id)).toMatchObject({ sold: 3 });
    });
  });

  describe('a booking of a paid order', () => {
    it('is refunded when cancelled alone; the order is refunded once all of them are', async () => {
      const buyer = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      const { body: paid } = await confirm(buyer, order.id).expect(201);
      const cancelBooking = (id: number) =>
        api().put(`/api/v1/bookings/${id}/status`).set(buyer.auth).send({ status: 'cancelled' }).expect(200);
      await cancelBooking(paid.booking_ids[1]);
      expect(await read(buyer, order.id)).toMatchObject({ status: 'paid', refunded_amount: '25.00' });
      await cancelBooking(paid.booking_ids[0]);
      expect(await read(buyer, order.id)).toMatchObject({ status: 'refunded', refunded_amount: '45.00' });
    });
  });

  describe('cancelling the event', () => {
    it('cancels its pending orders and refunds its paid ones in full', async () => {
      const [first, second] = [await registerCustomer(t), await registerCustomer(t)];
      const { event, vip } = await shop();
      const { body: pending } = await post(first, familyOrder(event.id, vip.id)).expect(201);
      const { body: order } = await post(second, familyOrder(event.id, vip.id)).expect(201);
      await confirm(second, order.id).expect(201);
      await api().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
      expect((await read(first, pending.id)).status).toBe('cancelled');
      expect(await read(second, order.id)).toMatchObject({ status: 'refunded', refunded_amount: '45.00' });
      await expectCountersRight(event.id);
    });
  });

  describe('reading', () => {
    it("answers 403 to another customer for someone else's order, 404 for none", async () => {
      const buyer = await registerCustomer(t);
      const other = await registerCustomer(t);
      const { event, vip } = await shop();
      const { body: order } = await post(buyer, familyOrder(event.id, vip.id)).expect(201);
      await api().get(`/api/v1/orders/${order.id}`).set(other.auth).expect(403);
      await api().get(`/api/v1/orders/${order.id}`).set(admin.auth).expect(200);
      await api().get('/api/v1/orders/2147483647').set(admin.auth).expect(404);
    });

    it("lists a user's orders newest first, paginated", async () => {
      const buyer = await registerCustomer(t);
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { event } = await shop();
        ids.push((await post(buyer, { event_id: event.id, lines: [{ quantity: 1 }] }).expect(201)).body.id);
      }
      const res = await api().get(`/api/v1/orders/user/${buyer.user.id}?limit=2`).set(buyer.auth).expect(200);
      expect(res.body.map((o: { id: number }) => o.id)).toEqual([ids[2], ids[1]]);
      expect(res.headers['x-total-count']).toBe('3');
      await api().get(`/api/v1/orders/user/${admin.user.id}`).set(buyer.auth).expect(403);
    });

    it("lists an event's orders to an admin, by status", async () => {
      const [first, second] = [await registerCustomer(t), await registerCustomer(t)];
      const { event } = await shop();
      const { body: pending } = await post(first, { event_id: event.id, lines: [{ quantity: 1 }] }).expect(201);
      const { body: paid } = await post(second, { event_id: event.id, lines: [{ quantity: 1 }] }).expect(201);
      await confirm(second, paid.id).expect(201);
      const all = await api().get(`/api/v1/events/${event.id}/orders`).set(admin.auth).expect(200);
      expect(all.body.map((o: { id: number }) => o.id)).toEqual([paid.id, pending.id]);
      const onlyPaid = await api().get(`/api/v1/events/${event.id}/orders?status=paid`).set(admin.auth).expect(200);
      expect(onlyPaid.body.map((o: { id: number }) => o.id)).toEqual([paid.id]);
      await api().get(`/api/v1/events/${event.id}/orders`).set(first.auth).expect(403);
    });

    it('keeps order lines out of the holds routes', async () => {
      const buyer = await registerCustomer(t);
      const { event } = await shop();
      const { body: order } = await post(buyer, { event_id: event.id, lines: [{ quantity: 1 }] }).expect(201);
      const [line] = await t.db.query('SELECT id FROM holds WHERE order_id = $1', [order.id]);
      await api().get(`/api/v1/holds/${line.id}`).set(buyer.auth).expect(404);
      await api().delete(`/api/v1/holds/${line.id}`).set(buyer.auth).expect(404);
    });
  });

  describe('webhooks and metrics', () => {
    it('records order.created, order.paid, order.cancelled, order.expired and order.refunded in the transaction of the change', async () => {
      const events = ['order.created', 'order.paid', 'order.expired', 'order.cancelled', 'order.refunded'];
      await api()
        .post('/api/v1/webhooks')
        .set(admin.auth)
        .send({ url: 'http://127.0.0.1:9/orders', events })
        .expect(201);
      const buyer = await registerCustomer(t);
      const { event } = await shop();
      const orderOf = async () =>
        (await post(buyer, { event_id: event.id, lines: [{ quantity: 1 }] }).expect(201)).body as { id: number };
      const expiring = await orderOf();
      await timeIsUp(expiring.id);
      await sweeper.sweep();
      const cancelled = await orderOf();
      await cancel(buyer, cancelled.id).expect(200);
      const refunded = await orderOf();
      await confirm(buyer, refunded.id).expect(201);
      await cancel(buyer, refunded.id).expect(200);
      const messages: { type: string; resource: string; status: string }[] = await t.db.query(
        `SELECT type, resource, data->>'status' AS status FROM webhook_messages WHERE type LIKE 'order.%' ORDER BY created_at, id`,
      );
      const of = (order: { id: number }) =>
        messages.filter((m) => m.resource === `order/${order.id}`).map((m) => [m.type, m.status]);
      expect(of(expiring)).toEqual([
        ['order.created', 'pending'],
        ['order.expired', 'expired'],
      ]);
      expect(of(cancelled)).toEqual([
        ['order.created', 'pending'],
        ['order.cancelled', 'cancelled'],
      ]);
      expect(of(refunded)).toEqual([
        ['order.created', 'pending'],
        ['order.paid', 'paid'],
        ['order.refunded', 'refunded'],
      ]);
    });

    it('counts orders created, paid, expired, cancelled and refunded in /metrics', async () => {
      const text = (await api().get('/metrics').expect(200)).text;
      for (const name of ['created', 'paid', 'expired', 'cancelled', 'refunded']) {
        expect(Number(new RegExp(`^orders_${name}_total (\\d+)$`, 'm').exec(text)![1])).toBeGreaterThan(0);
      }
    });
  });
});
