import { SchedulerRegistry } from '@nestjs/schedule';
import { HoldSweeper } from '../../src/modules/holds/hold-sweeper';
import { IntentReconciler } from '../../src/modules/payments/intent-reconciler';
import { RefundDispatcher } from '../../src/modules/payments/refund-dispatcher';
import { eventsWithWrongCounters, promoCodesWithWrongUses, ticketTypesWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, makeEventInput, registerCustomer } from '../support/factories';
import { createMigratedScratchDatabase, ScratchDatabase } from '../support/scratch-database';
import { eventually, orderTimeIsUp } from '../support/storm';
import { StripeDouble } from '../support/stripe-double';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Payments through Stripe, one rule of the contract's Payments section per test. Stripe is a
 * local double the official SDK talks to (STRIPE_API_URL); its events are signed with the SDK's
 * own test-header helper. The sweeper, the refund dispatcher and the intent reconciler are
 * stopped, so that each test decides when they pass. The app has a database of its own: its
 * refunds and intents are no other test's.
 */
describe('Payments through Stripe', () => {
  let t: TestApp;
  let db: ScratchDatabase;
  let stripe: StripeDouble;
  let admin: Caller;
  let installationId: string;

  beforeAll(async () => {
    stripe = new StripeDouble();
    await stripe.listen();
    db = await createMigratedScratchDatabase();
    t = await createTestApp({ DATABASE_URL: db.url, ...stripe.env });
    const scheduler = t.app.get(SchedulerRegistry);
    for (const job of [HoldSweeper.name, RefundDispatcher.name, IntentReconciler.name]) scheduler.deleteInterval(job);
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await stripe?.close();
  });
  beforeEach(() => stripe.recover());

  const api = () => t.http();
  const order = (buyer: Caller, eventId: number, quantity = 2) =>
    api()
      .post('/api/v1/orders')
      .set(buyer.auth)
      .send({ event_id: eventId, lines: [{ quantity }] });
  const read = async (caller: Caller, id: number) =>
    (await api().get(`/api/v1/orders/${id}`).set(caller.auth).expect(200)).body;
  const deliver = (event: object, timestamp?: number) => {
    const { body, signature } = stripe.signed(event, timestamp);
    return api()
      .post('/api/v1/payments/stripe/webhook')
      .set('Content-Type', 'application/json; charset=utf-8')
      .set('Stripe-Signature', signature)
      .send(body);
  };
  const sendRefunds = () => t.app.get(RefundDispatcher).poll();
  const settleIntents = () => t.app.get(IntentReconciler).poll();
  const sweep = () => t.app.get(HoldSweeper).sweep();
  const seats = async (eventId: number) =>
    (
      await t.db.query('SELECT total_tickets_sold AS sold, total_tickets_held AS held FROM events WHERE id = $1', [
        eventId,
      ])
    )[0] as { sold: number; held: number };
  const timeIsUp = (orderId: number) => orderTimeIsUp(t.db, orderId);
  const providerEvents = (orderId: number) =>
    t.db.query('SELECT id, type, outcome FROM provider_events WHERE order_id = $1 ORDER BY received_at', [orderId]);
  const expectCountersRight = async (eventId: number) => {
    expect(await eventsWithWrongCounters(t.db, [eventId])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [eventId])).toEqual([]);
  };
  /** A buyer's pending order of two seats at 12.34 on a new event of `capacity`, with its intent. */
  const pendingOrder = async (capacity = 10) => {
    const buyer = await registerCustomer(t);
    const event = await createEvent(t, admin, { capacity, price: '12.34' });
    const made = (await order(buyer, event.id).expect(201)).body;
    return { buyer, event, order: made, intent: stripe.intentOf(made.id) };
  };
  /** A paid order (see pendingOrder), paid through its intent's success. */
  const paidOrder = async (capacity = 10) => {
    const pending = await pendingOrder(capacity);
    await deliver(stripe.pay(pending.intent.id)).expect(200);
    return { ...pending, order: await read(pending.buyer, pending.order.id) };
  };

  describe('a PaymentIntent for each priced order', () => {
    it('is made when the order is, for its total in minor units, with its order and installation in metadata', async () => {
      const { order: made, intent } = await pendingOrder();
      installationId = (await t.db.query('SELECT installation_id AS id FROM installation'))[0].id;
      expect(intent).toMatchObject({
        amount: 2468,
        currency: 'thb',
        metadata: { order_id: String(made.id), installation_id: installationId },
      });
      const [request] = stripe.requestsTo('POST', /^\/v1\/payment_intents$/).filter((r) => r.params.amount === '2468');
      expect(stripe.requests.find((r) => r.params['metadata[order_id]'] === String(made.id))?.idempotencyKey).toBe(
        `${installationId}-order-${made.id}`,
      );
      expect(request).toBeDefined();
    });

    it('is shown as the order’s payment, its client secret to its owner only, while the order is pending', async () => {
      const { buyer, order: made, intent } = await pendingOrder();
      expect(made.payment).toEqual({
        provider: 'stripe',
        status: 'requires_payment',
        reference: intent.id,
        client_secret: intent.client_secret,
      });
      expect((await read(buyer, made.id)).payment.client_secret).toBe(intent.client_secret);
      expect((await read(admin, made.id)).payment.client_secret).toBeNull();
      const listed = await api().get(`/api/v1/orders/user/${buyer.user.id}`).set(buyer.auth).expect(200);
      expect(listed.body[0].payment.client_secret).toBeNull();
    });

    it('hides the client secret once the order is paid', async () => {
      const { buyer, order: paid } = await paidOrder();
      expect(paid.status).toBe('paid');
      expect((await read(buyer, paid.id)).payment).toMatchObject({ status: 'succeeded', client_secret: null });
    });

    it('is not made for a free order, which is paid at once', async () => {
      const buyer = await registerCustomer(t);
      const event = await createEvent(t, admin, { capacity: 5, price: '0.00' });
      const made = (await order(buyer, event.id).expect(201)).body;
      expect(made).toMatchObject({ status: 'paid', payment: null });
      expect(stripe.requests.filter((r) => r.params['metadata[order_id]'] === String(made.id))).toEqual([]);
    });

    it('cancels the order and frees its seats with 502 PAYMENT_PROVIDER_UNAVAILABLE when Stripe fails', async () => {
      const buyer = await registerCustomer(t);
      const event = await createEvent(t, admin, { capacity: 5, price: '12.34' });
      stripe.behave(/^\/v1\/payment_intents$/, { kind: 'status', status: 500 }, 1);
      const res = await order(buyer, event.id).expect(502);
      expect(res.body.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
      const [made] = (await api().get(`/api/v1/orders/user/${buyer.user.id}`).set(buyer.auth).expect(200)).body;
      expect(made.status).toBe('cancelled');
      expect(await seats(event.id)).toEqual({ sold: 0, held: 0 });
      await expectCountersRight(event.id);
    });

    it('cancels the order and frees its seats with 409 PAYMENT_REJECTED when Stripe refuses', async () => {
      const buyer = await registerCustomer(t);
      const event = await createEvent(t, admin, { capacity: 5, price: '12.34' });
      stripe.behave(/^\/v1\/payment_intents$/, { kind: 'status', status: 400, code: 'amount_too_small' }, 1);
      const res = await order(buyer, event.id).expect(409);
      expect(res.body.code).toBe('PAYMENT_REJECTED');
      expect(await seats(event.id)).toEqual({ sold: 0, held: 0 });
    });

    it('is made while no lock of the event is held: a sale of the event goes through while Stripe is slow', async () => {
      const buyer = await registerCustomer(t);
      const event = await createEvent(t, admin, { capacity: 5, price: '12.34' });
      stripe.behave(/^\/v1\/payment_intents$/, { kind: 'hang' }, 1);
      const asked = stripe.requests.length;
      const ordering = order(buyer, event.id).then((res) => res.status);
      await eventually(
        'Stripe to be asked for the intent',
        () => stripe.requests.length,
        (n) => n > asked,
      );
      await api()
        .post('/api/v1/bookings')
        .set(admin.auth)
        .send({ event_id: event.id, quantity: 1, user_id: buyer.user.id })
        .expect(201);
      stripe.recover();
      // Cut off, the SDK's request is answered 201 if it reached Stripe again under its key, else 502.
      expect([201, 502]).toContain(await ordering);
    });

    it('gives up on Stripe after 10 s without an answer: 502, the order cancelled', async () => {
      const buyer = await registerCustomer(t);
      const event = await createEvent(t, admin, { capacity: 5, price: '12.34' });
      stripe.behave(/^\/v1\/payment_intents$/, { kind: 'hang' }, 1);
      const res = await order(buyer, event.id).expect(502);
      expect(res.body.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
      expect(await seats(event.id)).toEqual({ sold: 0, held: 0 });
    }, 30_000);
  });

  describe('POST /orders/:id/payment', () => {
    const pay = (caller: Caller, id: number) => api().post(`/api/v1/orders/${id}/payment`).set(caller.auth);

    it('returns the intent the order has while it can still be paid, asking Stripe for nothing', async () => {
      const { buyer, order: made, intent } = await pendingOrder();
      const before = stripe.requests.length;
      const res = await pay(buyer, made.id).expect(200);
      expect(res.body.payment).toMatchObject({ reference: intent.id, client_secret: intent.client_secret });
      expect(stripe.requests.length).toBe(before);
    });

    it('makes a new intent after the last one failed, its idempotency key ending with the attempt', async () => {
      const { buyer, order: made, intent } = await pendingOrder();
      await deliver(stripe.decline(intent.id)).expect(200);
      expect((await read(buyer, made.id)).payment.status).toBe('failed');
      const res = await pay(buyer, made.id).expect(200);
      const retried = stripe.intentOf(made.id);
      expect(retried.id).not.toBe(intent.id);
      expect(res.body.payment).toEqual({
        provider: 'stripe',
        status: 'requires_payment',
        reference: retried.id,
        client_secret: retried.client_secret,
      });
      expect(stripe.requests.at(-1)?.idempotencyKey).toBe(`${installationId}-order-${made.id}-1`);
    });

    it('refuses an order that is not pending with 409 ORDER_NOT_PENDING', async () => {
      const { buyer, order: paid } = await paidOrder();
      expect((await pay(buyer, paid.id).expect(409)).body.code).toBe('ORDER_NOT_PENDING');
    });

    it('refuses anyone but the order’s owner with 403', async () => {
      const { order: made } = await pendingOrder();
      await pay(await registerCustomer(t), made.id).expect(403);
      await pay(admin, made.id).expect(403);
    });
  });

  describe('POST /payments/stripe/webhook', () => {
    it('refuses a wrong signature with 400 INVALID_SIGNATURE, changing nothing', async () => {
      const { order: made, intent } = await pendingOrder();
      const { body } = stripe.signed(stripe.pay(intent.id));
      const res = await api()
        .post('/api/v1/payments/stripe/webhook')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`)
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('INVALID_SIGNATURE');
      expect((await read(admin, made.id)).status).toBe('pending');
      expect(await providerEvents(made.id)).toEqual([]);
    });

    it('refuses a missing signature with 400 INVALID_SIGNATURE', async () => {
      const { intent } = await pendingOrder();
      const res = await api()
        .post('/api/v1/payments/stripe/webhook')
        .send(stripe.pay(intent.id) as object)
        .expect(400);
      expect(res.body.code).toBe('INVALID_SIGNATURE');
    });

    it('refuses a body that is not the JSON Stripe signed with 400 INVALID_SIGNATURE', async () => {
      const { intent } = await pendingOrder();
      const { body, signature } = stripe.signed(stripe.pay(intent.id));
      const res = await api()
        .post('/api/v1/payments/stripe/webhook')
        .set('Content-Type', 'text/plain')
        .set('Stripe-Signature', signature)
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('INVALID_SIGNATURE');
    });

    it('refuses a signature older than 300 s with 400 INVALID_SIGNATURE', async () => {
      const { order: made, intent } = await pendingOrder();
      const res = await deliver(stripe.pay(intent.id), Math.floor(Date.now() / 1000) - 301).expect(400);
      expect(res.body.code).toBe('INVALID_SIGNATURE');
      expect((await read(admin, made.id)).status).toBe('pending');
    });

    it('pays the order on payment_intent.succeeded: one booking per line, the payment succeeded', async () => {
      const { buyer, event, order: made, intent } = await pendingOrder();
      expect((await deliver(stripe.pay(intent.id)).expect(200)).body).toEqual({ received: true });
      const paid = await read(buyer, made.id);
      expect(paid).toMatchObject({ status: 'paid', payment: { provider: 'stripe', status: 'succeeded' } });
      expect(paid.booking_ids).toHaveLength(1);
      expect(await seats(event.id)).toEqual({ sold: 2, held: 0 });
      expect(await providerEvents(made.id)).toEqual([
        { id: expect.any(String), type: 'payment_intent.succeeded', outcome: 'paid' },
      ]);
      await expectCountersRight(event.id);
    });

    it('acts on an event once however often it arrives', async () => {
      const { event, order: made, intent } = await pendingOrder();
      const succeeded = stripe.pay(intent.id);
      for (let i = 0; i < 3; i++) await deliver(succeeded).expect(200);
      expect((await read(admin, made.id)).booking_ids).toHaveLength(1);
      expect(await providerEvents(made.id)).toHaveLength(1);
      expect(await seats(event.id)).toEqual({ sold: 2, held: 0 });
    });

    it('pays with an intent at most once: a second success event of it changes nothing', async () => {
      const { event, order: made, intent } = await paidOrder();
      await deliver(stripe.pay(intent.id)).expect(200);
      expect(await seats(event.id)).toEqual({ sold: 2, held: 0 });
      expect((await read(admin, made.id)).refunds).toEqual([]);
    });

    it('refunds in full, and does not pay, a success of another amount', async () => {
      const { order: made, intent } = await pendingOrder();
      await deliver(stripe.pay(intent.id, 1000)).expect(200);
      const after = await read(admin, made.id);
      expect(after).toMatchObject({ status: 'pending', refunded_amount: '0.00', payment: { status: 'failed' } });
      expect(after.refunds).toEqual([
        expect.objectContaining({ booking_id: null, amount: '10.00', status: 'pending' }),
      ]);
      await sendRefunds();
      const [refund] = stripe
        .requestsTo('POST', /^\/v1\/refunds$/)
        .filter((r) => r.params.payment_intent === intent.id);
      expect(refund.params).toMatchObject({ amount: '1000', 'metadata[refund_id]': String(after.refunds[0].id) });
    });

    it('refunds in full a success of another currency', async () => {
      const { order: made, intent } = await pendingOrder();
      await deliver(stripe.pay(intent.id, undefined, 'usd')).expect(200);
      expect((await read(admin, made.id)).status).toBe('pending');
      expect((await read(admin, made.id)).refunds).toHaveLength(1);
    });

    it('pays an expired order late when all its seats can be taken again', async () => {
      const { event, order: made, intent } = await pendingOrder();
      await timeIsUp(made.id);
      await sweep();
      expect((await read(admin, made.id)).status).toBe('expired');
      await deliver(stripe.pay(intent.id)).expect(200);
      expect((await read(admin, made.id)).status).toBe('paid');
      expect(await seats(event.id)).toEqual({ sold: 2, held: 0 });
      expect((await providerEvents(made.id))[0].outcome).toBe('paid late');
      await expectCountersRight(event.id);
    });

    it('pays late an order whose time is up before the sweeper passed, when its seats are there', async () => {
      const { event, order: made, intent } = await pendingOrder();
      await timeIsUp(made.id);
      await deliver(stripe.pay(intent.id)).expect(200);
      expect((await read(admin, made.id)).status).toBe('paid');
      expect((await providerEvents(made.id))[0].outcome).toBe('paid late');
      await expectCountersRight(event.id);
    });

    it('pays a cancelled order late when all its seats can be taken again', async () => {
      const { buyer, order: made, intent } = await pendingOrder();
      await api().post(`/api/v1/orders/${made.id}/cancel`).set(buyer.auth).expect(200);
      await deliver(stripe.pay(intent.id)).expect(200);
      expect((await read(admin, made.id)).status).toBe('paid');
    });

    it('refunds in full a late success whose seats are gone: the order is refunded', async () => {
      const { event, order: made, intent } = await pendingOrder(2);
      await timeIsUp(made.id);
      await sweep();
      const rival = await registerCustomer(t);
      await order(rival, event.id).expect(201);
      await deliver(stripe.pay(intent.id)).expect(200);
      const after = await read(admin, made.id);
      expect(after).toMatchObject({ status: 'refunded', refunded_amount: '24.68', booking_ids: [] });
      expect(after.refunds).toEqual([expect.objectContaining({ booking_id: null, amount: '24.68' })]);
      expect(await seats(event.id)).toEqual({ sold: 0, held: 2 });
      await expectCountersRight(event.id);
    });

    it('refunds in full a late success whose promo code uses are gone, though its seats are there', async () => {
      const event = await createEvent(t, admin, { capacity: 10, price: '12.34' });
      await api()
        .post(`/api/v1/events/${event.id}/promo-codes`)
        .set(admin.auth)
        .send({ code: 'LATE-ONE', discount_type: 'amount', discount_value: '1.00', max_uses: 2 })
        .expect(201);
      const withCode = (buyer: Caller) =>
        api()
          .post('/api/v1/orders')
          .set(buyer.auth)
          .send({ event_id: event.id, lines: [{ quantity: 2 }], promo_code: 'LATE-ONE' })
          .expect(201);
      const made = (await withCode(await registerCustomer(t))).body;
      await timeIsUp(made.id);
      await sweep();
      await withCode(await registerCustomer(t));
      await deliver(stripe.pay(stripe.intentOf(made.id).id)).expect(200);
      expect(await read(admin, made.id)).toMatchObject({
        status: 'refunded',
        refunded_amount: '22.68',
        booking_ids: [],
      });
      expect(await promoCodesWithWrongUses(t.db, [event.id])).toEqual([]);
      await expectCountersRight(event.id);
    });

    it('refunds in full a success for an order an admin confirmed as paid at the box office', async () => {
      const { order: made, intent } = await pendingOrder();
      await api().post(`/api/v1/orders/${made.id}/confirm`).set(admin.auth).expect(201);
      await deliver(stripe.pay(intent.id)).expect(200);
      const after = await read(admin, made.id);
      expect(after).toMatchObject({ status: 'paid', refunded_amount: '0.00', payment: { provider: 'manual' } });
      expect(after.refunds).toEqual([expect.objectContaining({ booking_id: null, amount: '24.68' })]);
    });

    it('marks the payment failed on payment_intent.payment_failed, the order still pending', async () => {
      const { order: made, intent } = await pendingOrder();
      await deliver(stripe.decline(intent.id)).expect(200);
      expect(await read(admin, made.id)).toMatchObject({ status: 'pending', payment: { status: 'failed' } });
    });

    it('counts the API’s own refund once when charge.refunded reports it', async () => {
      const { buyer, event, order: paid, intent } = await paidOrder();
      await api().post(`/api/v1/orders/${paid.id}/cancel`).set(buyer.auth).expect(200);
      await sendRefunds();
      await deliver(stripe.chargeRefunded(intent.id, 2468)).expect(200);
      const after = await read(admin, paid.id);
      expect(after).toMatchObject({ status: 'refunded', refunded_amount: '24.68' });
      expect(after.refunds).toEqual([expect.objectContaining({ amount: '24.68', status: 'succeeded' })]);
      await expectCountersRight(event.id);
    });

    it('records a partial refund made in Stripe’s dashboard, the order still paid', async () => {
      const { order: paid, intent } = await paidOrder();
      await deliver(stripe.chargeRefunded(intent.id, 500)).expect(200);
      await deliver(stripe.chargeRefunded(intent.id, 500)).expect(200);
      const after = await read(admin, paid.id);
      expect(after).toMatchObject({ status: 'paid', refunded_amount: '5.00' });
      expect(after.refunds).toEqual([
        expect.objectContaining({ booking_id: null, amount: '5.00', status: 'succeeded', reference: null }),
      ]);
    });

    it('cancels the bookings of a charge refunded in full in Stripe’s dashboard, with no further refund', async () => {
      const { event, order: paid, intent } = await paidOrder();
      await deliver(stripe.chargeRefunded(intent.id, 2468)).expect(200);
      const after = await read(admin, paid.id);
      expect(after).toMatchObject({ status: 'refunded', refunded_amount: '24.68' });
      expect(after.refunds).toHaveLength(1);
      expect(await seats(event.id)).toEqual({ sold: 0, held: 0 });
      const booking = await api().get(`/api/v1/bookings/${after.booking_ids[0]}`).set(admin.auth).expect(200);
      expect(booking.body.status).toBe('cancelled');
      await sendRefunds();
      expect(stripe.requestsTo('POST', /^\/v1\/refunds$/).filter((r) => r.params.payment_intent === intent.id)).toEqual(
        [],
      );
      await expectCountersRight(event.id);
    });

    it('follows refund.failed for a refund the API sent', async () => {
      const { buyer, order: paid } = await paidOrder();
      await api().post(`/api/v1/orders/${paid.id}/cancel`).set(buyer.auth).expect(200);
      await sendRefunds();
      const [{ reference }] = (await read(admin, paid.id)).refunds;
      const refund = stripe.refunds.get(reference)!;
      await deliver(stripe.event('refund.failed', { ...refund, status: 'failed' })).expect(200);
      expect((await read(admin, paid.id)).refunds[0].status).toBe('failed');
    });

    it('answers 200 to an event of another type, or of an intent no order has, and changes nothing', async () => {
      await deliver(stripe.event('customer.created', { id: 'cus_1', object: 'customer' })).expect(200);
      const stranger = stripe.event('payment_intent.succeeded', { id: 'pi_unknown', amount_received: 100 });
      await deliver(stranger).expect(200);
      const [row] = await t.db.query('SELECT outcome FROM provider_events WHERE id = $1', [stranger.id]);
      expect(row.outcome).toMatch(/^ignored/);
    });

    it('answers 503 and stores nothing when the effect fails, so that Stripe sends it again', async () => {
      const { order: made, intent } = await pendingOrder();
      const broken = stripe.event('payment_intent.succeeded', { id: intent.id, currency: 'thb' });
      expect((await deliver(broken).expect(503)).body.code).toBe('SERVICE_UNAVAILABLE');
      expect(await t.db.query('SELECT 1 FROM provider_events WHERE id = $1', [broken.id])).toEqual([]);
      expect((await read(admin, made.id)).status).toBe('pending');
    });
  });

  describe('intents of orders that end unpaid', () => {
    it('are cancelled at Stripe', async () => {
      const { buyer, order: made, intent } = await pendingOrder();
      await api().post(`/api/v1/orders/${made.id}/cancel`).set(buyer.auth).expect(200);
      await settleIntents();
      expect(stripe.intents.get(intent.id)?.status).toBe('canceled');
      expect((await read(admin, made.id)).payment.status).toBe('failed');
    });

    it('are looked at again, later, when Stripe fails', async () => {
      const { buyer, order: made, intent } = await pendingOrder();
      await api().post(`/api/v1/orders/${made.id}/cancel`).set(buyer.auth).expect(200);
      stripe.behave(/^\/v1\/payment_intents\/pi_/, { kind: 'status', status: 500 }, 1);
      await settleIntents();
      expect(stripe.intents.get(intent.id)?.status).toBe('requires_payment_method');
      await t.db.query(`UPDATE payments SET checked_at = now() - interval '1 minute' WHERE reference = $1`, [
        intent.id,
      ]);
      await settleIntents();
      expect(stripe.intents.get(intent.id)?.status).toBe('canceled');
    });

    it('are read back when they succeeded but their callback was lost: a late payment', async () => {
      const { event, order: made, intent } = await pendingOrder();
      await timeIsUp(made.id);
      await sweep();
      stripe.pay(intent.id);
      await settleIntents();
      expect((await read(admin, made.id)).status).toBe('paid');
      expect(await seats(event.id)).toEqual({ sold: 2, held: 0 });
    });
  });

  describe('refunds', () => {
    it('are recorded pending with the cancellation, then sent once with the refund’s own idempotency key', async () => {
      const { buyer, order: paid, intent } = await paidOrder();
      await api().post(`/api/v1/orders/${paid.id}/cancel`).set(buyer.auth).expect(200);
      const [pending] = (await read(admin, paid.id)).refunds;
      expect(pending).toMatchObject({ status: 'pending', reference: null, amount: '24.68' });
      await sendRefunds();
      await sendRefunds();
      const sent = stripe.requestsTo('POST', /^\/v1\/refunds$/).filter((r) => r.params.payment_intent === intent.id);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        idempotencyKey: `${installationId}-refund-${pending.id}`,
        params: { amount: '2468', 'metadata[refund_id]': String(pending.id) },
      });
      expect((await read(admin, paid.id)).refunds[0]).toMatchObject({ status: 'succeeded', reference: /^re_/ });
    });

    it('are sent again while Stripe fails, and carried out once', async () => {
      const { buyer, order: paid, intent } = await paidOrder();
      await api().post(`/api/v1/orders/${paid.id}/cancel`).set(buyer.auth).expect(200);
      stripe.behave(/^\/v1\/refunds$/, { kind: 'status', status: 500 }, 2);
      for (let i = 0; i < 3; i++) {
        await t.db.query(`UPDATE refunds SET next_attempt_at = now() WHERE order_id = $1 AND status = 'pending'`, [
          paid.id,
        ]);
        await sendRefunds();
      }
      const tries = stripe.requestsTo('POST', /^\/v1\/refunds$/).filter((r) => r.params.payment_intent === intent.id);
      expect(tries).toHaveLength(3);
      expect(new Set(tries.map((r) => r.idempotencyKey)).size).toBe(1);
      expect([...stripe.refunds.values()].filter((r) => r.payment_intent === intent.id)).toHaveLength(1);
      expect((await read(admin, paid.id)).refunds[0].status).toBe('succeeded');
    });

    it('fail when Stripe refuses them for good', async () => {
      const { buyer, order: paid } = await paidOrder();
      await api().post(`/api/v1/orders/${paid.id}/cancel`).set(buyer.auth).expect(200);
      stripe.behave(/^\/v1\/refunds$/, { kind: 'status', status: 400, code: 'charge_already_refunded' }, 1);
      await sendRefunds();
      expect((await read(admin, paid.id)).refunds[0]).toMatchObject({ status: 'failed', reference: null });
    });
  });

  describe('priced tickets only by paying', () => {
    it('refuses a customer’s booking of a priced type with 409 PAYMENT_REQUIRED, and books a free one', async () => {
      const buyer = await registerCustomer(t);
      const priced = await createEvent(t, admin, { capacity: 5, price: '12.34' });
      const free = await createEvent(t, admin, { capacity: 5, price: '0.00' });
      const book = (eventId: number) =>
        api().post('/api/v1/bookings').set(buyer.auth).send({ event_id: eventId, quantity: 1 });
      expect((await book(priced.id).expect(409)).body.code).toBe('PAYMENT_REQUIRED');
      await book(free.id).expect(201);
      expect(await seats(priced.id)).toEqual({ sold: 0, held: 0 });
    });

    it('refuses a customer’s hold of a priced type with 409 PAYMENT_REQUIRED', async () => {
      const buyer = await registerCustomer(t);
      const priced = await createEvent(t, admin, { capacity: 5, price: '12.34' });
      const res = await api().post('/api/v1/holds').set(buyer.auth).send({ event_id: priced.id, quantity: 1 });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('PAYMENT_REQUIRED');
    });

    it('refuses a customer’s confirmation of a priced hold with 409 PAYMENT_REQUIRED', async () => {
      const buyer = await registerCustomer(t);
      const priced = await createEvent(t, admin, { capacity: 5, price: '12.34' });
      const held = await api()
        .post('/api/v1/holds')
        .set(admin.auth)
        .send({ event_id: priced.id, quantity: 1, user_id: buyer.user.id })
        .expect(201);
      const res = await api().post(`/api/v1/holds/${held.body.id}/confirm`).set(buyer.auth).expect(409);
      expect(res.body.code).toBe('PAYMENT_REQUIRED');
    });

    it('refuses the owner’s confirmation of an order with 409 PAYMENT_REQUIRED', async () => {
      const { buyer, order: made } = await pendingOrder();
      const res = await api().post(`/api/v1/orders/${made.id}/confirm`).set(buyer.auth).expect(409);
      expect(res.body.code).toBe('PAYMENT_REQUIRED');
    });

    it('records an admin’s confirmation as a manual payment (a box office)', async () => {
      const { event, order: made } = await pendingOrder();
      const res = await api().post(`/api/v1/orders/${made.id}/confirm`).set(admin.auth).expect(201);
      expect(res.body).toMatchObject({
        status: 'paid',
        payment: { provider: 'manual', status: 'succeeded', reference: null, client_secret: null },
      });
      expect(await seats(event.id)).toEqual({ sold: 2, held: 0 });
    });

    it('makes a waiting-list offer of a priced type a pending order for the entry’s user, paid through Stripe', async () => {
      const event = await createEvent(t, admin, { capacity: 1, price: '12.34' });
      const first = await registerCustomer(t);
      const sold = await api()
        .post('/api/v1/bookings')
        .set(admin.auth)
        .send({ event_id: event.id, quantity: 1, user_id: first.user.id })
        .expect(201);
      const waiter = await registerCustomer(t);
      const entry = (
        await api().post(`/api/v1/events/${event.id}/waitlist`).set(waiter.auth).send({ quantity: 1 }).expect(201)
      ).body;
      await api().put(`/api/v1/bookings/${sold.body.id}/status`).set(admin.auth).send({ status: 'cancelled' });
      const offered = (await api().get(`/api/v1/waitlist/${entry.id}`).set(waiter.auth).expect(200)).body;
      expect(offered).toMatchObject({ status: 'offered', order_id: expect.any(Number) });
      const pending = await read(waiter, offered.order_id);
      expect(pending).toMatchObject({ user_id: waiter.user.id, status: 'pending', quantity: 1, payment: null });
      const started = await api().post(`/api/v1/orders/${offered.order_id}/payment`).set(waiter.auth).expect(200);
      expect(started.body.payment.client_secret).toBe(stripe.intentOf(offered.order_id).client_secret);
      await deliver(stripe.pay(stripe.intentOf(offered.order_id).id)).expect(200);
      expect((await read(waiter, offered.order_id)).status).toBe('paid');
      expect((await api().get(`/api/v1/waitlist/${entry.id}`).set(waiter.auth).expect(200)).body.status).toBe(
        'fulfilled',
      );
      await expectCountersRight(event.id);
    });
  });
});

describe('Payments in a zero-decimal currency', () => {
  let t: TestApp;
  let db: ScratchDatabase;
  let stripe: StripeDouble;
  let admin: Caller;

  beforeAll(async () => {
    stripe = new StripeDouble();
    await stripe.listen();
    db = await createMigratedScratchDatabase();
    t = await createTestApp({ DATABASE_URL: db.url, ...stripe.env, PAYMENT_CURRENCY: 'jpy' });
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await stripe?.close();
  });

  it('refuses a price that is not whole with 400', async () => {
    const res = await t
      .http()
      .post('/api/v1/events')
      .set(admin.auth)
      .send(makeEventInput({ price: '1500.50' }))
      .expect(400);
    expect(res.body.errors).toEqual([{ field: 'price', message: 'price must be a whole amount in jpy' }]);
  });

  it('refuses a promo code amount that is not whole with 400', async () => {
    const event = await createEvent(t, admin, { capacity: 5, price: '1500.00' });
    const res = await t
      .http()
      .post(`/api/v1/events/${event.id}/promo-codes`)
      .set(admin.auth)
      .send({ code: 'YEN-OFF', discount_type: 'amount', discount_value: '100.50' })
      .expect(400);
    expect(res.body.errors).toEqual([
      { field: 'discount_value', message: 'discount_value must be a whole amount in jpy' },
    ]);
  });

  it('rounds a percent discount to whole yen: 33% of 1,001 is 330 off', async () => {
    const event = await createEvent(t, admin, { capacity: 5, price: '1001.00' });
    await t
      .http()
      .post(`/api/v1/events/${event.id}/promo-codes`)
      .set(admin.auth)
      .send({ code: 'YEN33', discount_type: 'percent', discount_value: 33 })
      .expect(201);
    const made = (
      await t
        .http()
        .post('/api/v1/orders')
        .set((await registerCustomer(t)).auth)
        .send({ event_id: event.id, lines: [{ quantity: 1 }], promo_code: 'YEN33' })
        .expect(201)
    ).body;
    expect(made).toMatchObject({ discount_amount: '330.00', total_amount: '671.00' });
    expect(stripe.intentOf(made.id)).toMatchObject({ amount: 671, currency: 'jpy' });
  });

  it('charges whole yen', async () => {
    const event = await createEvent(t, admin, { capacity: 5, price: '1500.00' });
    const buyer = await registerCustomer(t);
    const made = (
      await t
        .http()
        .post('/api/v1/orders')
        .set(buyer.auth)
        .send({ event_id: event.id, lines: [{ quantity: 2 }] })
        .expect(201)
    ).body;
    expect(stripe.intentOf(made.id)).toMatchObject({ amount: 3000, currency: 'jpy' });
  });
});
