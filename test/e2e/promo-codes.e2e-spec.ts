import { SchedulerRegistry } from '@nestjs/schedule';
import { HoldSweeper } from '../../src/modules/holds/hold-sweeper';
import { eventsWithWrongCounters, promoCodesWithWrongUses, ticketTypesWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { orderTimeIsUp } from '../support/storm';

/**
 * Promo codes and hidden ticket types through the API, one rule of the contract's Promo codes
 * section per test. The sweeper is stopped: a test moves an order's `expires_at` into the past and
 * decides when the sweeper passes (`sweep()`).
 */
describe('Promo codes', () => {
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
  const addCode = (eventId: number, body: object) =>
    api().post(`/api/v1/events/${eventId}/promo-codes`).set(admin.auth).send(body);
  const code = async (eventId: number, body: object) => (await addCode(eventId, body).expect(201)).body;
  const readCode = async (id: number) =>
    (await api().get(`/api/v1/promo-codes/${id}`).set(admin.auth).expect(200)).body;
  const order = (caller: Caller, body: object) => api().post('/api/v1/orders').set(caller.auth).send(body);
  const addType = async (eventId: number, body: object) =>
    (await api().post(`/api/v1/events/${eventId}/ticket-types`).set(admin.auth).send(body).expect(201)).body as {
      id: number;
    };
  /** An event of 20 seats at 10.00 (the default type) with a VIP type at 25.00. */
  const shop = async () => {
    const event = await createEvent(t, admin, { capacity: 20, price: '10.00' });
    const vip = await addType(event.id, { name: 'VIP', price: '25.00' });
    return { event, vip };
  };
  const heldSeats = async (eventId: number) =>
    (
      (await t.db.query('SELECT total_tickets_held AS held FROM events WHERE id = $1', [eventId]))[0] as {
        held: number;
      }
    ).held;
  const timeIsUp = (orderId: number) => orderTimeIsUp(t.db, orderId);
  const expectCountersRight = async (eventId: number) => {
    expect(await eventsWithWrongCounters(t.db, [eventId])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [eventId])).toEqual([]);
    expect(await promoCodesWithWrongUses(t.db, [eventId])).toEqual([]);
  };

  describe('admin routes', () => {
    it('makes a code with its defaults: every type, no limit, no dates, active, no uses', async () => {
      const { event } = await shop();
      const res = await addCode(event.id, { code: 'SPRING10', discount_type: 'percent', discount_value: 10 }).expect(
        201,
      );
      expect(res.body).toMatchObject({
        event_id: event.id,
        code: 'SPRING10',
        discount_type: 'percent',
        discount_value: '10.00',
        ticket_type_ids: null,
        max_uses: null,
        uses: 0,
        valid_from: null,
        valid_until: null,
        active: true,
      });
      expect(await readCode(res.body.id)).toEqual(res.body);
    });

    it('refuses a second code with the same text in another case on one event: 409 PROMO_CODE_TAKEN', async () => {
      const { event } = await shop();
      const other = await shop();
      await code(event.id, { code: 'Summer', discount_type: 'amount', discount_value: '1.00' });
      const res = await addCode(event.id, { code: 'SUMMER', discount_type: 'amount', discount_value: '2.00' }).expect(
        409,
      );
      expect(res.body.code).toBe('PROMO_CODE_TAKEN');
      await addCode(other.event.id, { code: 'SUMMER', discount_type: 'amount', discount_value: '2.00' }).expect(201);
    });

    it.each([
      ['a code of 2 characters', { code: 'AB' }, 'code'],
      ['a code with a space', { code: 'TWO WORDS' }, 'code'],
      ['a percent that is not whole', { discount_value: '12.5' }, 'discount_value'],
      ['a percent above 100', { discount_value: 101 }, 'discount_value'],
      ['a percent of 0', { discount_value: 0 }, 'discount_value'],
      ['an unknown discount type', { discount_type: 'bogo' }, 'discount_type'],
      ['max_uses of 0', { max_uses: 0 }, 'max_uses'],
      [
        'valid_until before valid_from',
        { valid_from: '2030-01-02T00:00:00Z', valid_until: '2030-01-01T00:00:00Z' },
        'valid_until',
      ],
    ])('answers 400 for %s, making nothing', async (_, change, field) => {
      const { event } = await shop();
      const res = await addCode(event.id, {
        code: 'GOODCODE',
        discount_type: 'percent',
        discount_value: 10,
        ...change,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect((await api().get(`/api/v1/events/${event.id}/promo-codes`).set(admin.auth).expect(200)).body).toEqual([]);
    });

    it('answers 400 on ticket_type_ids for a type of another event', async () => {
      const { event } = await shop();
      const other = await shop();
      const res = await addCode(event.id, {
        code: 'OTHERTYPE',
        discount_type: 'percent',
        discount_value: 10,
        ticket_type_ids: [other.vip.id],
      }).expect(400);
      expect(res.body.errors[0].field).toBe('ticket_type_ids');
    });

    it.each([
      ['unlocks a hidden type', 'hidden', { discount_type: 'percent', discount_value: 10 }],
      ['takes 100% off', 'vip', { discount_type: 'percent', discount_value: 100 }],
      ['takes off as much as a price', 'vip', { discount_type: 'amount', discount_value: '25.00' }],
      ['sells at 0.00', 'vip', { discount_type: 'price', discount_value: 0 }],
    ])('requires at least 8 characters of a code that %s', async (_, typeName, discount) => {
      const { event, vip } = await shop();
      const hidden = await addType(event.id, { name: 'Crew', price: '5.00', hidden: true });
      const types = [typeName === 'hidden' ? hidden.id : vip.id];
      const short = await addCode(event.id, { code: 'SEVEN77', ticket_type_ids: types, ...discount }).expect(400);
      expect(short.body.errors[0]).toMatchObject({ field: 'code' });
      await addCode(event.id, { code: 'EIGHT888', ticket_type_ids: types, ...discount }).expect(201);
    });

    it('is for admins only: 401 without a token, 403 for a customer', async () => {
      const { event } = await shop();
      const customer = await registerCustomer(t);
      const body = { code: 'NOPE123', discount_type: 'percent', discount_value: 10 };
      await api().post(`/api/v1/events/${event.id}/promo-codes`).send(body).expect(401);
      await api().post(`/api/v1/events/${event.id}/promo-codes`).set(customer.auth).send(body).expect(403);
      await api().get(`/api/v1/events/${event.id}/promo-codes`).set(customer.auth).expect(403);
    });

    it("lists an event's codes oldest first, paginated; 404 for an event that does not exist", async () => {
      const { event } = await shop();
      for (const text of ['FIRST1', 'SECOND2', 'THIRD3']) {
        await code(event.id, { code: text, discount_type: 'amount', discount_value: '1.00' });
      }
      const page = await api()
        .get(`/api/v1/events/${event.id}/promo-codes?limit=2&offset=1`)
        .set(admin.auth)
        .expect(200);
      expect(page.headers['x-total-count']).toBe('3');
      expect(page.body.map((c: { code: string }) => c.code)).toEqual(['SECOND2', 'THIRD3']);
      await api().get('/api/v1/events/999999/promo-codes').set(admin.auth).expect(404);
    });

    it('changes any field; max_uses may not go below the uses taken; 404 for no such code', async () => {
      const { event, vip } = await shop();
      const promo = await code(event.id, {
        code: 'LIMITED',
        discount_type: 'percent',
        discount_value: 10,
        max_uses: 5,
      });
      await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ ticket_type_id: vip.id, quantity: 3 }],
        promo_code: 'LIMITED',
      }).expect(201);
      const below = await api()
        .put(`/api/v1/promo-codes/${promo.id}`)
        .set(admin.auth)
        .send({ max_uses: 2 })
        .expect(400);
      expect(below.body.errors[0]).toMatchObject({ field: 'max_uses' });
      const res = await api()
        .put(`/api/v1/promo-codes/${promo.id}`)
        .set(admin.auth)
        .send({ max_uses: 3, discount_value: 15 })
        .expect(200);
      expect(res.body).toMatchObject({ max_uses: 3, discount_value: '15.00', uses: 3 });
      await api().put('/api/v1/promo-codes/999999').set(admin.auth).send({ active: false }).expect(404);
    });

    it('deletes a code no order used; a used one is 409 PROMO_CODE_IN_USE even after its uses came back', async () => {
      const { event } = await shop();
      const unused = await code(event.id, { code: 'UNUSED1', discount_type: 'amount', discount_value: '1.00' });
      await api().delete(`/api/v1/promo-codes/${unused.id}`).set(admin.auth).expect(200);
      await api().get(`/api/v1/promo-codes/${unused.id}`).set(admin.auth).expect(404);

      const used = await code(event.id, { code: 'USED123', discount_type: 'amount', discount_value: '1.00' });
      const buyer = await registerCustomer(t);
      const made = await order(buyer, { event_id: event.id, lines: [{ quantity: 1 }], promo_code: 'used123' }).expect(
        201,
      );
      await api().post(`/api/v1/orders/${made.body.id}/cancel`).set(buyer.auth).expect(200);
      expect((await readCode(used.id)).uses).toBe(0);
      const res = await api().delete(`/api/v1/promo-codes/${used.id}`).set(admin.auth).expect(409);
      expect(res.body.code).toBe('PROMO_CODE_IN_USE');
    });
  });

  describe('discounts', () => {
    it('takes a percent off each ticket of its types, per ticket, counting a use per ticket', async () => {
      const { event, vip } = await shop();
      const promo = await code(event.id, {
        code: 'VIP20',
        discount_type: 'percent',
        discount_value: 20,
        ticket_type_ids: [vip.id],
      });
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ ticket_type_id: vip.id, quantity: 2 }],
        promo_code: 'VIP20',
      }).expect(201);
      expect(res.body).toMatchObject({
        promo_code: 'VIP20',
        subtotal_amount: '50.00',
        discount_amount: '10.00',
        total_amount: '40.00',
      });
      expect(res.body.lines).toEqual([
        { ticket_type_id: vip.id, quantity: 2, unit_price: '25.00', discount_amount: '10.00', amount: '40.00' },
      ]);
      expect((await readCode(promo.id)).uses).toBe(2);
      await expectCountersRight(event.id);
    });

    it('rounds a percent per ticket to the cent: 33% of 10.00 is 3.30 off each ticket', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '10.00' });
      await code(event.id, { code: 'THIRTY3', discount_type: 'percent', discount_value: 33 });
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 3 }],
        promo_code: 'THIRTY3',
      }).expect(201);
      expect(res.body.lines[0]).toMatchObject({ unit_price: '10.00', discount_amount: '9.90', amount: '20.10' });
      expect(res.body).toMatchObject({ subtotal_amount: '30.00', discount_amount: '9.90', total_amount: '20.10' });
    });

    it('rounds half a cent up: 15% of 0.10 is 0.02 off (0.015 rounded)', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '0.10' });
      await code(event.id, { code: 'FIFTEEN', discount_type: 'percent', discount_value: 15 });
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 1 }],
        promo_code: 'FIFTEEN',
      }).expect(201);
      expect(res.body.lines[0]).toMatchObject({ discount_amount: '0.02', amount: '0.08' });
    });

    it('takes an amount off each ticket, never below 0.00', async () => {
      const { event, vip } = await shop();
      await code(event.id, { code: 'MINUS30-OFF', discount_type: 'amount', discount_value: '30.00' });
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 2 }, { ticket_type_id: vip.id, quantity: 1 }],
        promo_code: 'MINUS30-OFF',
      }).expect(201);
      expect(
        res.body.lines.map((l: { discount_amount: string; amount: string }) => [l.discount_amount, l.amount]),
      ).toEqual([
        ['20.00', '0.00'],
        ['25.00', '0.00'],
      ]);
      expect(res.body).toMatchObject({ total_amount: '0.00', status: 'paid' });
    });

    it('sells each ticket at the price, and leaves a ticket cheaper than it as it is', async () => {
      const { event, vip } = await shop();
      await code(event.id, { code: 'FLAT15', discount_type: 'price', discount_value: '15.00' });
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 1 }, { ticket_type_id: vip.id, quantity: 2 }],
        promo_code: 'FLAT15',
      }).expect(201);
      expect(
        res.body.lines.map((l: { discount_amount: string; amount: string }) => [l.discount_amount, l.amount]),
      ).toEqual([
        ['0.00', '10.00'],
        ['20.00', '30.00'],
      ]);
      expect(res.body).toMatchObject({ subtotal_amount: '60.00', discount_amount: '20.00', total_amount: '40.00' });
    });

    it("discounts only the lines of the code's types and counts only their tickets as uses", async () => {
      const { event, vip } = await shop();
      const promo = await code(event.id, {
        code: 'VIPONLY',
        discount_type: 'amount',
        discount_value: '5.00',
        ticket_type_ids: [vip.id],
      });
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 3 }, { ticket_type_id: vip.id, quantity: 1 }],
        promo_code: 'VIPONLY',
      }).expect(201);
      expect(res.body.lines.map((l: { discount_amount: string }) => l.discount_amount)).toEqual(['0.00', '5.00']);
      expect(res.body).toMatchObject({ subtotal_amount: '55.00', discount_amount: '5.00', total_amount: '50.00' });
      expect((await readCode(promo.id)).uses).toBe(1);
    });

    it('matches the code whatever its case, and the order shows it as the admin wrote it', async () => {
      const { event } = await shop();
      await code(event.id, { code: 'MixedCase', discount_type: 'amount', discount_value: '1.00' });
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 1 }],
        promo_code: 'mIXEDcASE',
      }).expect(201);
      expect(res.body).toMatchObject({ promo_code: 'MixedCase', total_amount: '9.00' });
    });

    it("makes each booking of a paid order cost its line's amount after discount, adding up to the total", async () => {
      const { event, vip } = await shop();
      await code(event.id, {
        code: 'HALFVIP',
        discount_type: 'percent',
        discount_value: 50,
        ticket_type_ids: [vip.id],
      });
      const buyer = await registerCustomer(t);
      const made = await order(buyer, {
        event_id: event.id,
        lines: [{ quantity: 1 }, { ticket_type_id: vip.id, quantity: 2 }],
        promo_code: 'HALFVIP',
      }).expect(201);
      const paid = await api().post(`/api/v1/orders/${made.body.id}/confirm`).set(buyer.auth).expect(201);
      const amounts: string[] = [];
      for (const id of paid.body.booking_ids as number[]) {
        amounts.push((await api().get(`/api/v1/bookings/${id}`).set(buyer.auth).expect(200)).body.total_amount);
      }
      expect(amounts).toEqual(['10.00', '25.00']);
      expect(paid.body.total_amount).toBe('35.00');
      await expectCountersRight(event.id);
    });
  });

  describe('refusals', () => {
    const refused = async (eventId: number, promoCode: string, lines: object[] = [{ quantity: 1 }]) => {
      const res = await order(await registerCustomer(t), { event_id: eventId, lines, promo_code: promoCode });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('PROMO_CODE_INVALID');
      expect(await heldSeats(eventId)).toBe(0);
      return res.body.message as string;
    };

    it('refuses an unknown code, holding nothing', async () => {
      const { event } = await shop();
      expect(await refused(event.id, 'NOSUCHCODE')).toBe(`Promo code NOSUCHCODE is not a code of event ${event.id}`);
    });

    it('refuses a code of another event', async () => {
      const { event } = await shop();
      const other = await shop();
      await code(other.event.id, { code: 'ELSEWHERE', discount_type: 'amount', discount_value: '1.00' });
      expect(await refused(event.id, 'ELSEWHERE')).toMatch(/is not a code of event/);
    });

    it('refuses an inactive code: active false stops it', async () => {
      const { event } = await shop();
      const promo = await code(event.id, { code: 'PAUSED1', discount_type: 'amount', discount_value: '1.00' });
      await api().put(`/api/v1/promo-codes/${promo.id}`).set(admin.auth).send({ active: false }).expect(200);
      expect(await refused(event.id, 'PAUSED1')).toBe('Promo code PAUSED1 is not active');
    });

    it('refuses a code not yet valid, and one no longer valid', async () => {
      const { event } = await shop();
      const hour = 3600_000;
      await code(event.id, {
        code: 'LATER1',
        discount_type: 'amount',
        discount_value: '1.00',
        valid_from: new Date(Date.now() + hour).toISOString(),
      });
      await code(event.id, {
        code: 'EARLIER1',
        discount_type: 'amount',
        discount_value: '1.00',
        valid_until: new Date(Date.now() - hour).toISOString(),
      });
      expect(await refused(event.id, 'LATER1')).toBe('Promo code LATER1 is not yet valid');
      expect(await refused(event.id, 'EARLIER1')).toBe('Promo code EARLIER1 is no longer valid');
    });

    it("refuses a code for none of the order's types", async () => {
      const { event, vip } = await shop();
      await code(event.id, {
        code: 'VIPS-ONLY',
        discount_type: 'amount',
        discount_value: '1.00',
        ticket_type_ids: [vip.id],
      });
      expect(await refused(event.id, 'VIPS-ONLY')).toBe("Promo code VIPS-ONLY is for none of the order's ticket types");
    });

    it('refuses a code whose uses left are fewer than the tickets, saying how many are left', async () => {
      const { event } = await shop();
      const promo = await code(event.id, {
        code: 'THREE3',
        discount_type: 'amount',
        discount_value: '1.00',
        max_uses: 3,
      });
      await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 2 }],
        promo_code: 'THREE3',
      }).expect(201);
      const held = await heldSeats(event.id);
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 2 }],
        promo_code: 'THREE3',
      }).expect(409);
      expect(res.body).toMatchObject({ code: 'PROMO_CODE_INVALID' });
      expect(res.body.message).toMatch(/^Promo code THREE3 is used up: 1 use left/);
      expect(await heldSeats(event.id)).toBe(held);
      await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 1 }],
        promo_code: 'THREE3',
      }).expect(201);
      expect((await readCode(promo.id)).uses).toBe(3);
      await expectCountersRight(event.id);
    });

    it('answers 400 for a promo_code that is not a code at all', async () => {
      const { event } = await shop();
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 1 }],
        promo_code: "x' OR 1=1 --",
      }).expect(400);
      expect(res.body.errors[0].field).toBe('promo_code');
    });
  });

  describe('uses given back', () => {
    const usedOrder = async (eventId: number, promoCode: string, quantity = 2) => {
      const buyer = await registerCustomer(t);
      const res = await order(buyer, { event_id: eventId, lines: [{ quantity }], promo_code: promoCode }).expect(201);
      return { buyer, id: res.body.id as number };
    };

    it('gives its uses back when an order expires', async () => {
      const { event } = await shop();
      const promo = await code(event.id, {
        code: 'EXPIRING',
        discount_type: 'amount',
        discount_value: '1.00',
        max_uses: 2,
      });
      const { id } = await usedOrder(event.id, 'EXPIRING');
      await timeIsUp(id);
      await sweeper.sweep();
      expect((await readCode(promo.id)).uses).toBe(0);
      await usedOrder(event.id, 'EXPIRING');
      await expectCountersRight(event.id);
    });

    it('lets an order take back the uses of an expired one before the sweeper passes', async () => {
      const { event } = await shop();
      await code(event.id, { code: 'RECLAIM2', discount_type: 'amount', discount_value: '1.00', max_uses: 2 });
      const { id } = await usedOrder(event.id, 'RECLAIM2');
      await timeIsUp(id);
      await usedOrder(event.id, 'RECLAIM2');
      await expectCountersRight(event.id);
    });

    it('gives its uses back when a pending order is cancelled', async () => {
      const { event } = await shop();
      const promo = await code(event.id, { code: 'CANCELS1', discount_type: 'amount', discount_value: '1.00' });
      const { buyer, id } = await usedOrder(event.id, 'CANCELS1');
      await api().post(`/api/v1/orders/${id}/cancel`).set(buyer.auth).expect(200);
      expect((await readCode(promo.id)).uses).toBe(0);
    });

    it('gives its uses back when a paid order is refunded in full, not when one booking of two is', async () => {
      const { event, vip } = await shop();
      const promo = await code(event.id, { code: 'REFUNDS1', discount_type: 'amount', discount_value: '1.00' });
      const buyer = await registerCustomer(t);
      const made = await order(buyer, {
        event_id: event.id,
        lines: [{ quantity: 1 }, { ticket_type_id: vip.id, quantity: 1 }],
        promo_code: 'REFUNDS1',
      }).expect(201);
      const paid = await api().post(`/api/v1/orders/${made.body.id}/confirm`).set(buyer.auth).expect(201);
      const [first, second] = paid.body.booking_ids as number[];
      const cancelBooking = (id: number) =>
        api().put(`/api/v1/bookings/${id}/status`).set(buyer.auth).send({ status: 'cancelled' }).expect(200);
      await cancelBooking(first);
      expect((await readCode(promo.id)).uses).toBe(2);
      await cancelBooking(second);
      expect((await readCode(promo.id)).uses).toBe(0);
      await expectCountersRight(event.id);
    });

    it('takes the uses again when an expired order is paid, or refuses it with 409 ORDER_EXPIRED when they are gone', async () => {
      const { event } = await shop();
      const promo = await code(event.id, {
        code: 'COMEBACK',
        discount_type: 'amount',
        discount_value: '1.00',
        max_uses: 2,
      });
      const back = await usedOrder(event.id, 'COMEBACK');
      await timeIsUp(back.id);
      await sweeper.sweep();
      await api().post(`/api/v1/orders/${back.id}/confirm`).set(back.buyer.auth).expect(201);
      expect((await readCode(promo.id)).uses).toBe(2);

      await api().put(`/api/v1/promo-codes/${promo.id}`).set(admin.auth).send({ max_uses: 4 }).expect(200);
      const late = await usedOrder(event.id, 'COMEBACK');
      await timeIsUp(late.id);
      await sweeper.sweep();
      await usedOrder(event.id, 'COMEBACK');
      const res = await api().post(`/api/v1/orders/${late.id}/confirm`).set(late.buyer.auth).expect(409);
      expect(res.body.code).toBe('ORDER_EXPIRED');
      expect((await readCode(promo.id)).uses).toBe(4);
      await expectCountersRight(event.id);
    });

    it('counts a retried order (same Idempotency-Key) once', async () => {
      const { event } = await shop();
      const promo = await code(event.id, { code: 'RETRIED1', discount_type: 'amount', discount_value: '1.00' });
      const buyer = await registerCustomer(t);
      const body = { event_id: event.id, lines: [{ quantity: 2 }], promo_code: 'RETRIED1' };
      const send = () =>
        api().post('/api/v1/orders').set(buyer.auth).set('Idempotency-Key', `promo-${promo.id}`).send(body);
      const first = await send().expect(201);
      const again = await send().expect(201);
      expect(again.body.id).toBe(first.body.id);
      expect((await readCode(promo.id)).uses).toBe(2);
    });
  });

  describe('hidden ticket types', () => {
    /** An event with a public VIP type (quota 2) and a hidden Crew type, and a code that unlocks Crew. */
    const withCrew = async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '10.00' });
      const vip = await addType(event.id, { name: 'VIP', price: '25.00', quota: 2 });
      const crew = await addType(event.id, { name: 'Crew', price: '0.00', hidden: true });
      await code(event.id, {
        code: 'CREW-7Q2X9K',
        discount_type: 'amount',
        discount_value: '0.00',
        ticket_type_ids: [crew.id],
      });
      return { event, vip, crew };
    };
    const typeIds = async (eventId: number, caller?: Caller) => {
      const req = api().get(`/api/v1/events/${eventId}/ticket-types`);
      const res = await (caller ? req.set(caller.auth) : req).expect(200);
      return res.body.map((type: { id: number }) => type.id) as number[];
    };

    it('lists a hidden type to admins only', async () => {
      const { event, crew } = await withCrew();
      expect(await typeIds(event.id)).not.toContain(crew.id);
      expect(await typeIds(event.id, await registerCustomer(t))).not.toContain(crew.id);
      expect(await typeIds(event.id, admin)).toContain(crew.id);
    });

    it('sells a hidden type to an order whose code names it', async () => {
      const { event, crew } = await withCrew();
      const res = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ ticket_type_id: crew.id, quantity: 1 }],
        promo_code: 'crew-7q2x9k',
      }).expect(201);
      expect(res.body).toMatchObject({ status: 'paid', total_amount: '0.00', promo_code: 'CREW-7Q2X9K' });
    });

    it('answers 400 on ticket_type_id for an order of a hidden type without its code, or with a code for every type', async () => {
      const { event, crew } = await withCrew();
      await code(event.id, { code: 'EVERYONE', discount_type: 'percent', discount_value: 10 });
      for (const promo of [{}, { promo_code: 'EVERYONE' }]) {
        const res = await order(await registerCustomer(t), {
          event_id: event.id,
          lines: [{ ticket_type_id: crew.id, quantity: 1 }],
          ...promo,
        }).expect(400);
        expect(res.body.errors[0]).toMatchObject({ field: 'ticket_type_id' });
      }
      expect(await heldSeats(event.id)).toBe(0);
    });

    it('answers 400 on ticket_type_id to a booking, a hold or a waiting-list entry of a hidden type', async () => {
      const { event, crew } = await withCrew();
      const customer = await registerCustomer(t);
      const body = { event_id: event.id, ticket_type_id: crew.id, quantity: 1 };
      for (const path of ['/api/v1/bookings', '/api/v1/holds']) {
        const res = await api().post(path).set(customer.auth).send(body).expect(400);
        expect(res.body.errors[0]).toMatchObject({ field: 'ticket_type_id' });
      }
      const res = await api()
        .post(`/api/v1/events/${event.id}/waitlist`)
        .set(customer.auth)
        .send({ ticket_type_id: crew.id, quantity: 1 })
        .expect(400);
      expect(res.body.errors[0]).toMatchObject({ field: 'ticket_type_id' });
      expect(await heldSeats(event.id)).toBe(0);
    });

    it('counts a type sold out for a customer by what they can buy: seats only a hidden type could take do not count', async () => {
      const { event, vip } = await withCrew();
      for (let i = 0; i < 2; i++) {
        await api()
          .post('/api/v1/bookings')
          .set((await registerCustomer(t)).auth)
          .send({ event_id: event.id, ticket_type_id: vip.id, quantity: 1 })
          .expect(201);
      }
      await api()
        .post(`/api/v1/events/${event.id}/waitlist`)
        .set((await registerCustomer(t)).auth)
        .send({ ticket_type_id: vip.id, quantity: 1 })
        .expect(201);
    });

    it('cannot make the default type hidden', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '10.00' });
      const [general] = (await api().get(`/api/v1/events/${event.id}/ticket-types`).expect(200)).body;
      const res = await api()
        .put(`/api/v1/ticket-types/${general.id}`)
        .set(admin.auth)
        .send({ hidden: true })
        .expect(400);
      expect(res.body.errors[0]).toMatchObject({ field: 'hidden' });
    });
  });

  describe('webhooks and metrics', () => {
    it("carries the code and the discounts in the order's webhook data", async () => {
      const { event } = await shop();
      await api()
        .post('/api/v1/webhooks')
        .set(admin.auth)
        .send({ url: 'http://127.0.0.1:9/orders', events: ['order.created'] })
        .expect(201);
      await code(event.id, { code: 'HOOKED1', discount_type: 'amount', discount_value: '2.00' });
      const made = await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 2 }],
        promo_code: 'HOOKED1',
      }).expect(201);
      const [message] = await t.db.query(
        `SELECT data FROM webhook_messages WHERE type = 'order.created' AND resource = $1`,
        [`order/${made.body.id}`],
      );
      expect(message.data).toMatchObject({
        promo_code: 'HOOKED1',
        discount_amount: '4.00',
        total_amount: '16.00',
        lines: [{ discount_amount: '4.00', amount: '16.00' }],
      });
    });

    it('counts the uses taken in /metrics', async () => {
      const uses = async () => {
        const text = (await api().get('/metrics').expect(200)).text;
        return Number(/^promo_code_uses_total (\d+)/m.exec(text)?.[1]);
      };
      const { event } = await shop();
      await code(event.id, { code: 'COUNTED1', discount_type: 'amount', discount_value: '1.00' });
      const before = await uses();
      await order(await registerCustomer(t), {
        event_id: event.id,
        lines: [{ quantity: 3 }],
        promo_code: 'COUNTED1',
      }).expect(201);
      expect((await uses()) - before).toBe(3);
    });
  });
});
