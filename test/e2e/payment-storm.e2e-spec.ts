import { eventsWithWrongCounters, ticketTypesWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { createMigratedScratchDatabase, ScratchDatabase } from '../support/scratch-database';
import { ServerProcess, startServers } from '../support/server-process';
import { eventually, orderTimeIsUp, Storm } from '../support/storm';
import { StripeDouble } from '../support/stripe-double';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const TTL_SECONDS = 60;
const CAPACITY = 100;
const BUYERS = 200;

type Step = 'order' | 'retry' | 'cancel' | 'reorder';

/**
 * Stripe's callbacks and the API's refunds under duress, on two API processes sharing one
 * database of their own: callbacks repeated at once, late, for seats that are gone; Stripe
 * failing, then recovering, while refunds are sent; a process killed with a refund on its way;
 * and a storm of buyers paying, failing, and paying late. This process's own app only sets up
 * users and events: it has no payment provider, so every payment job runs in the two servers.
 */
describe('Payments under duress, on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let db: ScratchDatabase;
  let stripe: StripeDouble;
  let servers: ServerProcess[];
  let env: Record<string, string>;
  let admin: Caller;

  const start = async () => {
    servers = await startServers(env);
  };
  beforeAll(async () => {
    stripe = new StripeDouble();
    await stripe.listen();
    db = await createMigratedScratchDatabase();
    t = await createTestApp({ DATABASE_URL: db.url });
    env = testServerEnv({
      DATABASE_URL: db.url,
      RATE_LIMIT_MAX: '1000000',
      HOLD_TTL_SECONDS: String(TTL_SECONDS),
      ...stripe.env,
    });
    await start();
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
    await db?.drop();
    await stripe?.close();
  });
  beforeEach(() => stripe.recover());

  const call = async (i: number, caller: Caller, method: string, path: string, body?: object) => {
    const res = await fetch(`${servers[i % 2].url}/api/v1${path}`, {
      method,
      headers: { ...caller.auth, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id: number; code?: string; status?: string } };
  };
  const orderOf = async (buyer: Caller, eventId: number, quantity = 1) => {
    const made = await call(0, buyer, 'POST', '/orders', { event_id: eventId, lines: [{ quantity }] });
    expect(made.status).toBe(201);
    return { id: made.body.id, intent: stripe.intentOf(made.body.id) };
  };
  const statusOf = async (orderId: number) =>
    (await t.db.query('SELECT status FROM orders WHERE id = $1', [orderId]))[0].status as string;
  const timeIsUp = (orderId: number) => orderTimeIsUp(t.db, orderId);
  const refundsOf = (orderId: number): Promise<{ id: number; status: string; amount: string }[]> =>
    t.db.query('SELECT id, status, amount::text FROM refunds WHERE order_id = $1 ORDER BY id', [orderId]);
  /** What Stripe carried out for `intentId`: refunds made, one per idempotency key however often sent. */
  const refundedAtStripe = (intentId: string) =>
    [...stripe.refunds.values()].filter((r) => r.payment_intent === intentId);
  const expectCountersRight = async (eventId: number) => {
    expect(await eventsWithWrongCounters(t.db, [eventId])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [eventId])).toEqual([]);
  };

  it('pays once for one payment_intent.succeeded delivered 20 times at once to the two processes', async () => {
    const event = await createEvent(t, admin, { capacity: 10, price: '12.34' });
    const { id, intent } = await orderOf(await registerCustomer(t), event.id, 2);
    const succeeded = stripe.pay(intent.id);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stripe.deliver(servers[i % 2].url, succeeded)),
    );
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    expect(await statusOf(id)).toBe('paid');
    const [{ bookings }] = await t.db.query('SELECT count(*)::int AS bookings FROM bookings WHERE order_id = $1', [id]);
    expect(bookings).toBe(1);
    const stored = await t.db.query('SELECT id FROM provider_events WHERE id = $1', [succeeded.id]);
    expect(stored).toHaveLength(1);
    await expectCountersRight(event.id);
  });

  it('refunds in full, once, a success that arrives after expiry with the seats gone', async () => {
    const event = await createEvent(t, admin, { capacity: 2, price: '12.34' });
    const { id, intent } = await orderOf(await registerCustomer(t), event.id, 2);
    await timeIsUp(id);
    await eventually(
      'the order to expire',
      () => statusOf(id),
      (status) => status === 'expired',
    );
    await orderOf(await registerCustomer(t), event.id, 2);
    const succeeded = stripe.pay(intent.id);
    await Promise.all(Array.from({ length: 5 }, (_, i) => stripe.deliver(servers[i % 2].url, succeeded)));
    expect(await statusOf(id)).toBe('refunded');
    await eventually(
      'the refund to be sent',
      () => refundsOf(id),
      ([r]) => r?.status === 'succeeded',
    );
    expect(await refundsOf(id)).toEqual([{ id: expect.any(Number), status: 'succeeded', amount: '24.68' }]);
    expect(refundedAtStripe(intent.id)).toEqual([expect.objectContaining({ amount: 2468 })]);
    await expectCountersRight(event.id);
  });

  it('sends every refund exactly once while Stripe answers 500 and then recovers', async () => {
    const event = await createEvent(t, admin, { capacity: 20, price: '10.00' });
    const paid: { buyer: Caller; id: number; intent: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const buyer = await registerCustomer(t);
      const { id, intent } = await orderOf(buyer, event.id);
      expect(await stripe.deliver(servers[i % 2].url, stripe.pay(intent.id))).toBe(200);
      paid.push({ buyer, id, intent: intent.id });
    }
    stripe.behave(/^\/v1\/refunds$/, { kind: 'status', status: 500 }, 10);
    await Promise.all(paid.map(({ buyer, id }, i) => call(i, buyer, 'POST', `/orders/${id}/cancel`)));
    for (const { id } of paid) {
      await eventually(
        `order ${id}'s refund to be sent`,
        () => refundsOf(id),
        ([r]) => r?.status === 'succeeded',
      );
    }
    const tries = stripe
      .requestsTo('POST', /^\/v1\/refunds$/)
      .filter((r) => paid.some((p) => p.intent === r.params.payment_intent));
    expect(tries.length).toBeGreaterThan(paid.length);
    for (const { intent } of paid) expect(refundedAtStripe(intent)).toHaveLength(1);
    await expectCountersRight(event.id);
  });

  it('sends a refund after a restart when its process was killed while sending it', async () => {
    const event = await createEvent(t, admin, { capacity: 5, price: '10.00' });
    const buyer = await registerCustomer(t);
    const { id, intent } = await orderOf(buyer, event.id);
    expect(await stripe.deliver(servers[0].url, stripe.pay(intent.id))).toBe(200);
    stripe.behave(/^\/v1\/refunds$/, { kind: 'hang' });
    expect((await call(0, buyer, 'POST', `/orders/${id}/cancel`)).status).toBe(200);
    await eventually(
      'a process to be sending the refund',
      () => stripe.requestsTo('POST', /^\/v1\/refunds$/).filter((r) => r.params.payment_intent === intent.id).length,
      (n) => n > 0,
    );
    for (const server of servers) server.process.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    stripe.recover();
    await start();
    await eventually(
      'the refund to be sent after the restart',
      () => refundsOf(id),
      ([r]) => r?.status === 'succeeded',
    );
    expect(refundedAtStripe(intent.id)).toHaveLength(1);
  });

  /**
   * Twice as many buyers as seats order one seat each, all at once. Those whose order is made pay
   * it (every fourth after a declined card and a retry), let it run out, or cancel it; then those
   * refused order again and pay, racing the late payments of the orders that ran out; last, the
   * late payments of the cancelled orders arrive, when every seat is taken again.
   */
  describe('a storm of buyers paying, failing and paying late', () => {
    let event: { id: number };
    let storm: Storm<Step>;
    const callbacks: number[] = [];
    const made: { id: number; intent: string }[] = [];
    const outcomes = async () =>
      (
        await t.db.query(
          `SELECT e.outcome FROM provider_events e JOIN orders o ON o.id = e.order_id WHERE o.event_id = $1`,
          [event.id],
        )
      ).map((row: { outcome: string }) => row.outcome) as string[];

    beforeAll(async () => {
      event = await createEvent(t, admin, { capacity: CAPACITY, price: '10.00' });
      const buyers: Caller[] = [];
      for (let i = 0; i < BUYERS; i++) buyers.push(await registerCustomer(t));
      storm = new Storm<Step>(servers);
      const deliver = async (i: number, event: object) =>
        callbacks.push(await stripe.deliver(servers[i % 2].url, event));
      const expiredLate: (() => Promise<unknown>)[] = [];
      const cancelledLate: (() => Promise<unknown>)[] = [];
      /** Orders a seat: its id, or undefined when refused. */
      const order = async (buyer: Caller, step: Step) => {
        const made = await storm.send(step, buyer, 'POST', '/orders', { event_id: event.id, lines: [{ quantity: 1 }] });
        return made.status === 201 ? (made.body.id as number) : undefined;
      };
      /** What a buyer does with order `id`: 0 pay, 1 declined then retried and paid, 2 let it run out, 3 cancel it. */
      const journey = async (buyer: Caller, id: number, i: number, kind: number) => {
        const intent = stripe.intentOf(id);
        made.push({ id, intent: intent.id });
        if (kind === 0) return deliver(i, stripe.pay(intent.id));
        if (kind === 1) {
          await deliver(i, stripe.decline(intent.id));
          const retried = await storm.send('retry', buyer, 'POST', `/orders/${id}/payment`);
          if (retried.status !== 200) return undefined;
          const next = stripe.intentOf(id);
          made.push({ id, intent: next.id });
          return deliver(i, stripe.pay(next.id));
        }
        if (kind === 2) {
          await timeIsUp(id);
          return expiredLate.push(() => deliver(i, stripe.pay(intent.id)));
        }
        await storm.send('cancel', buyer, 'POST', `/orders/${id}/cancel`);
        return cancelledLate.push(() => deliver(i, stripe.pay(intent.id)));
      };
      const first = await Promise.all(buyers.map((buyer) => order(buyer, 'order')));
      const ordered = buyers.flatMap((buyer, i) => (first[i] === undefined ? [] : [{ buyer, id: first[i], i }]));
      await Promise.all(ordered.map(({ buyer, id, i }, k) => journey(buyer, id, i, k % 4)));
      const refused = buyers.filter((_, i) => first[i] === undefined);
      await Promise.all([
        ...refused.map(async (buyer, i) => {
          const id = await order(buyer, 'reorder');
          if (id !== undefined) await journey(buyer, id, i, 0);
        }),
        ...expiredLate.map((pay) => pay()),
      ]);
      await Promise.all(cancelledLate.map((pay) => pay()));
      await eventually(
        'every refund to be sent',
        () => t.db.query(`SELECT count(*)::int AS n FROM refunds WHERE status = 'pending'`),
        ([{ n }]) => n === 0,
      );
    });

    it('answers every request and callback without a 5xx', () => {
      expect(storm.unexpected()).toEqual([]);
      expect(callbacks.filter((status) => status !== 200)).toEqual([]);
    });

    it('pays, fails, pays late and refunds what came too late', async () => {
      expect(storm.answers('order').filter((o) => o.status === 201)).toHaveLength(CAPACITY);
      expect(storm.answers('retry').every((o) => o.status === 200)).toBe(true);
      const said = await outcomes();
      for (const outcome of ['paid', 'payment failed']) expect(said).toContain(outcome);
      // Those refused took every seat freed before the cancelled orders' payments came: each is refunded.
      expect(said.filter((outcome) => outcome.startsWith('refunded')).length).toBeGreaterThanOrEqual(CAPACITY / 4);
    });

    it('sells no seat twice', async () => {
      const [{ sold }] = await t.db.query(
        `SELECT count(*)::int AS sold FROM tickets JOIN bookings b ON b.id = tickets.booking_id
          WHERE b.event_id = $1 AND tickets.status = 'active'`,
        [event.id],
      );
      expect(sold).toBeLessThanOrEqual(CAPACITY);
      const [{ twice }] = await t.db.query(
        `SELECT count(*)::int AS twice FROM (SELECT order_id FROM bookings WHERE event_id = $1 AND order_id IS NOT NULL
          GROUP BY order_id HAVING count(*) > 1) o`,
        [event.id],
      );
      expect(twice).toBe(0);
    });

    it('leaves every charged buyer with tickets or a refund of the whole charge', async () => {
      const charged = made.filter(({ intent }) => stripe.intents.get(intent)?.status === 'succeeded');
      expect(charged.length).toBeGreaterThan(0);
      const unpaid: object[] = [];
      for (const { id, intent } of charged) {
        const [payment] = await t.db.query(
          `SELECT p.status, o.status AS order_status,
                  (SELECT count(*)::int FROM bookings b WHERE b.order_id = o.id AND b.status = 'confirmed') AS bookings
             FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.reference = $1`,
          [intent],
        );
        const refunded = refundedAtStripe(intent).reduce((sum, r) => sum + r.amount, 0);
        const paidFor = payment.status === 'succeeded' && payment.order_status === 'paid' && payment.bookings === 1;
        if (!(paidFor && refunded === 0) && refunded !== stripe.intents.get(intent)!.amount_received) {
          unpaid.push({ order: id, intent, ...payment, refunded });
        }
      }
      expect(unpaid).toEqual([]);
    });

    it('leaves the counters equal to the aggregates', async () => {
      await expectCountersRight(event.id);
    });
  });
});
