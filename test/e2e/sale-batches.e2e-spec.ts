import { AppError } from '../../src/common/errors/app-error';
import { BookingsService } from '../../src/modules/bookings/bookings.service';
import { BookingEntity } from '../../src/modules/bookings/entities/booking.entity';
import { HoldEntity } from '../../src/modules/holds/entities/hold.entity';
import { HoldsService } from '../../src/modules/holds/holds.service';
import { UserEntity } from '../../src/modules/users/entities/user.entity';
import { SaleBatcher } from '../../src/modules/seats/sale-batcher';
import { Confirmed, Held, Sale, SeatLedger, Undecided } from '../../src/modules/seats/seat-ledger';
import { eventsWithWrongCounters, promoCodesWithWrongUses, ticketTypesWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, hold, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Sales of one event that arrive together go in one statement (SeatLedger.sell, through
 * SaleBatcher); each must get the answer it would have had alone, after those before it.
 */
describe('Sales in batches', () => {
  let t: TestApp;
  let admin: Caller;
  let buyers: Caller[];
  let ledger: SeatLedger;

  beforeAll(async () => {
    t = await createTestApp({ BOOKING_MAX_QUANTITY: '10' });
    ledger = t.app.get(SeatLedger);
    admin = await createAdmin(t);
    buyers = await Promise.all(Array.from({ length: 5 }, () => registerCustomer(t)));
  });
  afterAll(() => t.close());

  const sales = (eventId: number, quantities: number[], ticketTypeId?: number): Sale[] =>
    quantities.map((quantity, i) => ({ eventId, userId: buyers[i].user.id, lines: [{ ticketTypeId, quantity }] }));
  /** Each outcome as the API would answer it: the booking's quantity and tickets, the refusal's message, or undecided. */
  const answers = (outcomes: (BookingEntity | Confirmed | AppError | Undecided | string)[]) =>
    outcomes.map((outcome) => {
      if (outcome instanceof AppError) return outcome.message;
      if (outcome instanceof Undecided || typeof outcome === 'string') return undefined;
      const booking = 'bookings' in outcome ? outcome.bookings[0] : outcome;
      return { quantity: booking.quantity, tickets: booking.tickets.length, amount: booking.totalAmount };
    });
  /** Each order's total as the statement wrote it, or its refusal's message. */
  const orderTotals = (outcomes: (Held | AppError | Undecided)[]) =>
    outcomes.map((outcome) =>
      'order' in outcome ? (outcome.order as { total_amount: string }).total_amount : (outcome as AppError).message,
    );
  const sold = async (eventId: number) =>
    (
      await t.db.query('SELECT total_tickets_sold AS sold, total_revenue AS revenue FROM events WHERE id = $1', [
        eventId,
      ])
    )[0];

  /** Runs `work` while the database fails every booking of 7 seats: a fault no batch foresees. */
  const refusingSevens = async (work: () => Promise<void>) => {
    await t.db.query(`
      CREATE FUNCTION refuse_seven() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault'; END $$;
      CREATE TRIGGER refuse_seven BEFORE INSERT ON bookings FOR EACH ROW WHEN (NEW.quantity = 7)
        EXECUTE FUNCTION refuse_seven();`);
    try {
      await work();
    } finally {
      await t.db.query('DROP TRIGGER refuse_seven ON bookings; DROP FUNCTION refuse_seven();');
    }
  };

  it('decides each sale in order of arrival as one statement each would: the last seats split the batch', async () => {
    const event = await createEvent(t, admin, { capacity: 6, price: '10.00' });
    const outcomes = await ledger.sell(t.db.manager, sales(event.id, [2, 3, 2, 1, 4]));
    expect(answers(outcomes)).toEqual([
      { quantity: 2, tickets: 2, amount: '20.00' },
      { quantity: 3, tickets: 3, amount: '30.00' },
      'Not enough tickets: 2 requested, 1 available',
      { quantity: 1, tickets: 1, amount: '10.00' },
      'Not enough tickets: 4 requested, 0 available',
    ]);
    expect(await sold(event.id)).toEqual({ sold: 6, revenue: '60.00' });
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it("decides the sales of several events in one statement, each event's in their order of arrival", async () => {
    const [first, second] = [
      await createEvent(t, admin, { capacity: 3, price: '10.00' }),
      await createEvent(t, admin, { capacity: 2, price: '20.00' }),
    ];
    const [a, b, c, d, e] = sales(first.id, [2, 1, 2, 2, 1]);
    const outcomes = await ledger.sell(t.db.manager, [
      a,
      { ...b, eventId: second.id },
      c,
      { ...d, eventId: second.id },
      e,
    ]);
    expect(answers(outcomes)).toEqual([
      { quantity: 2, tickets: 2, amount: '20.00' },
      { quantity: 1, tickets: 1, amount: '20.00' },
      'Not enough tickets: 2 requested, 1 available',
      'Not enough tickets: 2 requested, 1 available',
      { quantity: 1, tickets: 1, amount: '10.00' },
    ]);
    expect([await sold(first.id), await sold(second.id)]).toEqual([
      { sold: 3, revenue: '30.00' },
      { sold: 1, revenue: '20.00' },
    ]);
    const transactions = await t.db.query('SELECT DISTINCT xmin::text FROM bookings WHERE event_id = ANY ($1)', [
      [first.id, second.id],
    ]);
    expect(transactions).toHaveLength(1);
    expect(await eventsWithWrongCounters(t.db, [first.id, second.id])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [first.id, second.id])).toEqual([]);
  });

  it('never sells a ticket type of one event of a batch as a ticket of another', async () => {
    const [first, second] = [await createEvent(t, admin), await createEvent(t, admin)];
    const { body: balcony } = await t
      .http()
      .post(`/api/v1/events/${second.id}/ticket-types`)
      .set(admin.auth)
      .send({ name: 'Balcony', price: '25.00' })
      .expect(201);
    const [wrong, right] = [...sales(first.id, [1], balcony.id), ...sales(second.id, [1], balcony.id)];
    expect(answers(await ledger.sell(t.db.manager, [wrong, right]))).toEqual([
      `ticket_type_id ${balcony.id} is not a ticket type of event ${first.id}`,
      { quantity: 1, tickets: 1, amount: '25.00' },
    ]);
    expect(await sold(first.id)).toMatchObject({ sold: 0 });
  });

  it("gives each order of a batch its own event's promo code of a text several events have", async () => {
    const events = [await createEvent(t, admin, { price: '10.00' }), await createEvent(t, admin, { price: '10.00' })];
    for (const [i, event] of events.entries()) {
      await t
        .http()
        .post(`/api/v1/events/${event.id}/promo-codes`)
        .set(admin.auth)
        .send({ code: 'EVERYWHERE', discount_type: 'amount', discount_value: `${i + 1}.00`, max_uses: 1 })
        .expect(201);
    }
    const order = (i: number, eventId: number): Sale => ({
      eventId,
      userId: buyers[i].user.id,
      order: true,
      lines: [{ quantity: 1 }],
      promoCode: 'everywhere',
    });
    const [first, second] = events.map((event) => event.id);
    const outcomes = await ledger.hold(t.db.manager, [order(0, first), order(1, second), order(2, first)], 600);
    expect(orderTotals(outcomes)).toEqual([
      '9.00',
      '8.00',
      "Promo code everywhere is used up: 0 uses left, fewer than the order's tickets of its types",
    ]);
    expect(await promoCodesWithWrongUses(t.db, [first, second])).toEqual([]);
  });

  it('confirms the holds of several events in one statement', async () => {
    const [first, second] = [
      await createEvent(t, admin, { price: '10.00' }),
      await createEvent(t, admin, { price: '20.00' }),
    ];
    const held = [await hold(t, buyers[0], first.id, 2), await hold(t, buyers[0], second.id, 1)];
    const entities = await t.db
      .getRepository(HoldEntity)
      .find({ where: held.map(({ id }) => ({ id })), order: { id: 'ASC' } });
    const outcomes = await ledger.confirm(
      t.db.manager,
      entities.map((entity) => [entity]),
    );
    expect(answers(outcomes)).toEqual([
      { quantity: 2, tickets: 2, amount: '20.00' },
      { quantity: 1, tickets: 1, amount: '20.00' },
    ]);
    expect([await sold(first.id), await sold(second.id)]).toEqual([
      { sold: 2, revenue: '20.00' },
      { sold: 1, revenue: '20.00' },
    ]);
    expect(await eventsWithWrongCounters(t.db, [first.id, second.id])).toEqual([]);
  });

  it('gives each booking of a batch its own tickets, with codes that reach the database', async () => {
    const event = await createEvent(t, admin, { capacity: 10 });
    const outcomes = await ledger.sell(t.db.manager, sales(event.id, [1, 3, 2]));
    for (const booking of outcomes as BookingEntity[]) {
      const stored = await t.db.query('SELECT id, ticket_code FROM tickets WHERE booking_id = $1 ORDER BY id', [
        booking.id,
      ]);
      expect(stored).toEqual(booking.tickets.map(({ id, ticketCode }) => ({ id, ticket_code: ticketCode })));
    }
    const owners = await t.db.query('SELECT user_id FROM bookings WHERE event_id = $1 ORDER BY id', [event.id]);
    expect(owners.map((row: { user_id: number }) => row.user_id)).toEqual(buyers.slice(0, 3).map((b) => b.user.id));
  });

  it("counts a ticket type's quota as one statement each would", async () => {
    const event = await createEvent(t, admin, { capacity: 10, price: '10.00' });
    const type = (
      await t
        .http()
        .post(`/api/v1/events/${event.id}/ticket-types`)
        .set(admin.auth)
        .send({ name: 'Balcony', price: '25.00', quota: 3 })
        .expect(201)
    ).body;
    const outcomes = await ledger.sell(t.db.manager, sales(event.id, [2, 2, 1], type.id));
    expect(answers(outcomes)).toEqual([
      { quantity: 2, tickets: 2, amount: '50.00' },
      'Not enough tickets: 2 requested, 1 available',
      { quantity: 1, tickets: 1, amount: '25.00' },
    ]);
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it('refuses each sale of an event that is not bookable with the reason', async () => {
    const event = await createEvent(t, admin);
    await t.http().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
    expect(answers(await ledger.sell(t.db.manager, sales(event.id, [1, 1])))).toEqual([
      `Event ${event.id} is cancelled`,
      `Event ${event.id} is cancelled`,
    ]);
  });

  it('leaves a refused sale undecided while holds whose time is up could free seats for it', async () => {
    const event = await createEvent(t, admin, { capacity: 2 });
    const kept = await hold(t, buyers[4], event.id, 2);
    await t.db.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [kept.id]);
    const [outcome] = await ledger.sell(t.db.manager, sales(event.id, [1]));
    expect(outcome).toBeInstanceOf(Undecided);
    expect((outcome as Undecided).otherwise.message).toBe('Not enough tickets: 1 requested, 0 available');
  });

  it("never fails a sale for its neighbour's fault: a failed batch runs each sale alone", async () => {
    const event = await createEvent(t, admin, { capacity: 20 });
    await refusingSevens(async () => {
      const batcher = t.app.get(SaleBatcher);
      const sell = (sale: Sale) => batcher.sell(sale, (outcome) => outcome);
      const [first, faulty, neighbour] = sales(event.id, [1, 7, 2]);
      const answered = await Promise.allSettled([sell(first), sell(faulty), sell(neighbour)]);
      expect(answered.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await sold(event.id)).toMatchObject({ sold: 3 });
    });
  });

  describe('with Idempotency-Keys', () => {
    let bookings: BookingsService;
    beforeAll(() => (bookings = t.app.get(BookingsService)));
    afterEach(() => jest.restoreAllMocks());

    const create = (eventId: number, buyer: Caller, quantity: number, key?: string) =>
      bookings.create({ event_id: eventId, quantity }, buyer.user as UserEntity, key);
    /** An answer as the API would send it. */
    const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
    /** Each answer as the API would send it: the booking, or the refusal's code. */
    const settled = (answers: PromiseSettledResult<unknown>[]) =>
      answers.map((a) => (a.status === 'fulfilled' ? json(a.value) : (a.reason as AppError).code));
    const remembered = async (key: string) =>
      (await t.db.query('SELECT response FROM idempotency_keys WHERE key = $1', [key]))[0]?.response;

    it('answers each keyed sale of a batch as it would alone in turn: a retry replays, a reused key is 409, a refusal is not remembered', async () => {
      const event = await createEvent(t, admin, { capacity: 4 });
      const key = (name: string) => `${name}-${event.id}`;
      const earlier = await create(event.id, buyers[0], 1, key('earlier'));
      const sellBatch = jest.spyOn(ledger, 'sell');
      const answers = settled(
        await Promise.allSettled([
          create(event.id, buyers[1], 1),
          create(event.id, buyers[0], 1, key('earlier')),
          create(event.id, buyers[0], 2, key('earlier')),
          create(event.id, buyers[2], 1, key('new')),
          create(event.id, buyers[3], 5, key('refused')),
          create(event.id, buyers[4], 1),
        ]),
      );
      expect(sellBatch).toHaveBeenCalledTimes(2);
      expect(sellBatch.mock.calls[1][1].map((sale) => sale.userId)).toEqual(
        [buyers[2], buyers[3], buyers[4]].map((b) => b.user.id),
      );
      expect(answers[1]).toEqual(json(earlier));
      expect(answers[2]).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(answers[3]).toMatchObject({ user_id: buyers[2].user.id, quantity: 1 });
      expect(answers[4]).toBe('INSUFFICIENT_TICKETS');
      expect(answers[5]).toMatchObject({ user_id: buyers[4].user.id, quantity: 1 });
      expect(await remembered(key('new'))).toEqual(answers[3]);
      expect(await remembered(key('refused'))).toBeUndefined();
      expect(await sold(event.id)).toMatchObject({ sold: 4 });
      expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    });

    it('runs alone, after its batch, a sale whose key one before it in the batch has: it gets that answer', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const key = `twice-${event.id}`;
      const answers = settled(
        await Promise.allSettled([
          create(event.id, buyers[1], 1),
          create(event.id, buyers[0], 2, key),
          create(event.id, buyers[0], 2, key),
        ]),
      );
      expect(answers[2]).toEqual(answers[1]);
      expect(await sold(event.id)).toMatchObject({ sold: 3 });
    });

    it('holds keyed holds of a batch once: a retry gets the hold it made', async () => {
      const event = await createEvent(t, admin, { capacity: 10 });
      const holds = t.app.get(HoldsService);
      const holdBatch = jest.spyOn(ledger, 'hold');
      const key = `hold-${event.id}`;
      const asked = [buyers[1], buyers[0], buyers[2]].map((buyer, i) =>
        holds.create({ event_id: event.id, quantity: 1 }, buyer.user as UserEntity, i === 1 ? key : undefined),
      );
      const [, held] = await Promise.all(asked);
      expect(holdBatch).toHaveBeenCalledTimes(2);
      const retry = await holds.create({ event_id: event.id, quantity: 1 }, buyers[0].user as UserEntity, key);
      expect(json(retry)).toEqual(json(held));
      expect(await remembered(key)).toEqual(json(held));
    });

    it('forgets the keys of a failed batch: each of its sales runs alone, with its key', async () => {
      const event = await createEvent(t, admin, { capacity: 20 });
      await refusingSevens(async () => {
        const answered = await Promise.allSettled([
          create(event.id, buyers[1], 1),
          create(event.id, buyers[2], 7, `faulty-${event.id}`),
          create(event.id, buyers[3], 2, `neighbour-${event.id}`),
        ]);
        expect(answered.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect(await remembered(`faulty-${event.id}`)).toBeUndefined();
        expect(await remembered(`neighbour-${event.id}`)).toEqual(settled(answered)[2]);
        expect(await sold(event.id)).toMatchObject({ sold: 3 });
      });
    });
  });

  it('holds a batch as one statement each would: the last seats split it, each hold active for HOLD_TTL_SECONDS', async () => {
    const event = await createEvent(t, admin, { capacity: 4, price: '10.00' });
    const outcomes = await ledger.hold(t.db.manager, sales(event.id, [3, 2, 1]), 600);
    expect(
      outcomes.map((outcome) =>
        'holds' in outcome
          ? { quantity: outcome.holds[0].quantity, amount: outcome.holds[0].totalAmount }
          : (outcome as AppError).message,
      ),
    ).toEqual([
      { quantity: 3, amount: '30.00' },
      'Not enough tickets: 2 requested, 1 available',
      { quantity: 1, amount: '10.00' },
    ]);
    const [
      {
        holds: [first],
      },
    ] = outcomes as Held[];
    const read = await t.http().get(`/api/v1/holds/${first.id}`).set(buyers[0].auth).expect(200);
    expect(read.body).toMatchObject({ status: 'active', quantity: 3 });
    expect(new Date(read.body.expires_at).getTime() - new Date(read.body.created_at).getTime()).toBe(600_000);
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it('holds a batch of orders each all or nothing: one whose line does not fit takes nothing, those after it still may', async () => {
    const event = await createEvent(t, admin, { capacity: 10, price: '10.00' });
    const vip = (
      await t
        .http()
        .post(`/api/v1/events/${event.id}/ticket-types`)
        .set(admin.auth)
        .send({ name: 'VIP', price: '25.00', quota: 3 })
        .expect(201)
    ).body as { id: number };
    const order = (i: number, general: number, vipSeats: number): Sale => ({
      eventId: event.id,
      userId: buyers[i].user.id,
      order: true,
      lines: [{ quantity: general }, { ticketTypeId: vip.id, quantity: vipSeats }],
    });
    const outcomes = await ledger.hold(t.db.manager, [order(0, 2, 2), order(1, 1, 2), order(2, 3, 1)], 600);
    expect(
      outcomes.map((outcome) =>
        'holds' in outcome ? outcome.holds.map((h) => [h.line, h.quantity]) : (outcome as AppError).message,
      ),
    ).toEqual([
      [
        [1, 2],
        [2, 2],
      ],
      'VIP: 2 requested, 1 available',
      [
        [1, 3],
        [2, 1],
      ],
    ]);
    expect(await sold(event.id)).toMatchObject({ sold: 0 });
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
    const [first, , third] = outcomes as Held[];
    const paid = await ledger.confirm(t.db.manager, [first.holds, third.holds]);
    expect(paid.map((made) => (made as Confirmed).bookings.map((b) => [b.orderId, b.totalAmount]))).toEqual([
      [
        [first.holds[0].orderId, '20.00'],
        [first.holds[0].orderId, '50.00'],
      ],
      [
        [third.holds[0].orderId, '30.00'],
        [third.holds[0].orderId, '25.00'],
      ],
    ]);
    expect(await sold(event.id)).toEqual({ sold: 8, revenue: '125.00' });
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it("counts a batch of orders' promo code uses as one statement each would: the last uses split the batch", async () => {
    const event = await createEvent(t, admin, { capacity: 10, price: '10.00' });
    await t
      .http()
      .post(`/api/v1/events/${event.id}/promo-codes`)
      .set(admin.auth)
      .send({ code: 'BATCH3', discount_type: 'amount', discount_value: '2.00', max_uses: 3 })
      .expect(201);
    const order = (i: number, quantity: number, promoCode?: string): Sale => ({
      eventId: event.id,
      userId: buyers[i].user.id,
      order: true,
      lines: [{ quantity }],
      promoCode,
    });
    const outcomes = await ledger.hold(
      t.db.manager,
      [order(0, 2, 'batch3'), order(1, 2, 'BATCH3'), order(2, 2), order(3, 1, 'Batch3')],
      600,
    );
    expect(orderTotals(outcomes)).toEqual([
      '16.00',
      "Promo code BATCH3 is used up: 1 use left, fewer than the order's tickets of its types",
      '20.00',
      '8.00',
    ]);
    expect(await promoCodesWithWrongUses(t.db, [event.id])).toEqual([]);
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it('runs alone each hold of a batch that a second hold of one user failed: that one is HOLD_EXISTS', async () => {
    const event = await createEvent(t, admin, { capacity: 10 });
    const holds = t.app.get(HoldsService);
    const [first, second] = buyers;
    const asked = [first, second, second].map((buyer) =>
      holds.create({ event_id: event.id, quantity: 1 }, buyer.user as UserEntity),
    );
    const answered = await Promise.allSettled(asked);
    expect(answered.map((a) => (a.status === 'fulfilled' ? 'held' : (a.reason as AppError).code))).toEqual([
      'held',
      'held',
      'HOLD_EXISTS',
    ]);
  });

  it('confirms a batch of active holds as one statement each would, refusing one no longer active', async () => {
    const event = await createEvent(t, admin, { capacity: 10, price: '10.00' });
    const first = await hold(t, buyers[0], event.id, 2);
    const second = await hold(t, buyers[1], event.id, 1);
    const released = await hold(t, buyers[2], event.id, 1);
    await t.http().delete(`/api/v1/holds/${released.id}`).set(buyers[2].auth).expect(200);
    const entities = await t.db
      .getRepository(HoldEntity)
      .find({ where: [first, second, released].map(({ id }) => ({ id })), order: { id: 'ASC' } });
    const outcomes = await ledger.confirm(
      t.db.manager,
      entities.map((hold) => [hold]),
    );
    expect(answers(outcomes)).toEqual([
      { quantity: 2, tickets: 2, amount: '20.00' },
      { quantity: 1, tickets: 1, amount: '10.00' },
      `Hold ${released.id} is released`,
    ]);
    const read = await t.http().get(`/api/v1/holds/${first.id}`).set(buyers[0].auth).expect(200);
    expect(read.body).toMatchObject({ status: 'confirmed', booking_id: (outcomes[0] as Confirmed).bookings[0].id });
    expect(await sold(event.id)).toEqual({ sold: 3, revenue: '30.00' });
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it('answers a crowd checking out on one event, through batches of holds and of confirmations', async () => {
    const event = await createEvent(t, admin, { capacity: 12 });
    const crowd = await Promise.all(Array.from({ length: 16 }, () => registerCustomer(t)));
    const checkout = async (buyer: Caller) => {
      const held = await t.http().post('/api/v1/holds').set(buyer.auth).send({ event_id: event.id, quantity: 1 });
      if (held.status !== 201) return held.status;
      return (await t.http().post(`/api/v1/holds/${held.body.id}/confirm`).set(buyer.auth)).status;
    };
    const statuses = await Promise.all(crowd.map(checkout));
    expect(statuses.filter((status) => status === 201)).toHaveLength(12);
    expect(statuses.filter((status) => status === 409)).toHaveLength(4);
    expect(await sold(event.id)).toMatchObject({ sold: 12 });
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it('answers a crowd on one event each on its own, through batches, never overselling', async () => {
    const event = await createEvent(t, admin, { capacity: 40 });
    const crowd = await Promise.all(Array.from({ length: 15 }, () => registerCustomer(t)));
    const requests = crowd.flatMap((buyer) =>
      [1, 2, 3, 4].map(() =>
        t.http().post('/api/v1/bookings').set(buyer.auth).send({ event_id: event.id, quantity: 1 }),
      ),
    );
    const responses = await Promise.all(requests);
    const booked = responses.filter((r) => r.status === 201).map((r) => r.body);
    expect(booked).toHaveLength(40);
    expect(new Set(booked.map((b) => b.id)).size).toBe(40);
    expect(booked.every((b) => b.tickets.length === 1)).toBe(true);
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.message)).toEqual(
      Array(20).fill('Not enough tickets: 1 requested, 0 available'),
    );
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    const batches = Number(/^sale_batch_size_count (\d+)$/m.exec(metrics)![1]);
    const batched = Number(/^sale_batch_size_sum (\d+)$/m.exec(metrics)![1]);
    expect(batched).toBeGreaterThan(batches);
  });
});
