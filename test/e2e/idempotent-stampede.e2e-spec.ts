import { checkedFetch } from '../support/contract';
import { eventsWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { ServerProcess, startServers } from '../support/server-process';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const CAPACITY = 40;
const KEYED_BUYERS = 50;
const UNKEYED_BUYERS = 20;
/** Each keyed buyer's servers: the booking and two retries with its key, sent at once. */
const ATTEMPTS = [0, 1, 0];

interface Answer {
  buyer: number;
  keyed: boolean;
  status: number;
  text: string;
}

/**
 * A crowd on one event over two API processes, most of it retrying every booking with its
 * Idempotency-Key at the same moment, on both processes: retries of a key wait for its first
 * claim, across batches and processes, so each key books at most once and every retry gets the
 * first answer; the seats sell out exactly.
 */
describe('A stampede of buyers retrying with Idempotency-Keys on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let servers: ServerProcess[];
  let event: { id: number };
  let answers: Answer[];
  let keyedUserIds: number[];

  beforeAll(async () => {
    t = await createTestApp();
    const env = testServerEnv({ RATE_LIMIT_MAX: '1000000', DATABASE_POOL_SIZE: '10' });
    servers = await startServers(env);

    const admin = await createAdmin(t);
    event = await createEvent(t, admin, { capacity: CAPACITY, price: '12.50' });
    const buyers: Caller[] = [];
    for (let i = 0; i < KEYED_BUYERS + UNKEYED_BUYERS; i++) buyers.push(await registerCustomer(t));
    keyedUserIds = buyers.slice(0, KEYED_BUYERS).map((buyer) => buyer.user.id);

    const send = async (buyer: number, server: number, key?: string): Promise<Answer> => {
      const res = await checkedFetch(`${servers[server].url}/api/v1/bookings`, {
        method: 'POST',
        headers: {
          ...buyers[buyer].auth,
          'Content-Type': 'application/json',
          ...(key === undefined ? {} : { 'Idempotency-Key': key }),
        },
        body: JSON.stringify({ event_id: event.id, quantity: 1 }),
      });
      return { buyer, keyed: key !== undefined, status: res.status, text: await res.text() };
    };
    const stampede: Promise<Answer>[] = [];
    for (const server of ATTEMPTS) {
      for (let buyer = 0; buyer < KEYED_BUYERS; buyer++) stampede.push(send(buyer, server, `order-${buyer}`));
    }
    for (let buyer = KEYED_BUYERS; buyer < KEYED_BUYERS + UNKEYED_BUYERS; buyer++) {
      stampede.push(send(buyer, buyer % 2));
    }
    answers = await Promise.all(stampede);
  });

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
  });

  const keyedAnswers = (buyer: number) => answers.filter((a) => a.keyed && a.buyer === buyer);
  const booked = () => answers.filter((a) => a.status === 201);

  it('answers every request 201 or 409, never a 5xx', () => {
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201, 409]));
  });

  it('gives every retry of a key the first answer, byte for byte', () => {
    for (let buyer = 0; buyer < KEYED_BUYERS; buyer++) {
      const [first, ...retries] = keyedAnswers(buyer);
      expect(retries.map((retry) => [retry.status, retry.text])).toEqual(retries.map(() => [first.status, first.text]));
    }
  });

  it('books each key at most once and sells the event out exactly', async () => {
    const distinct = new Set(booked().map((a) => (JSON.parse(a.text) as { id: number }).id));
    expect(distinct.size).toBe(CAPACITY);
    const [row] = await t.db.query(
      `SELECT count(*)::int AS bookings, count(DISTINCT user_id)::int AS buyers, sum(quantity)::int AS seats
         FROM bookings WHERE event_id = $1`,
      [event.id],
    );
    expect(row).toEqual({ bookings: CAPACITY, buyers: CAPACITY, seats: CAPACITY });
  });

  it('remembers only the keys that booked', async () => {
    const keyedBuyers = new Set(
      booked()
        .filter((a) => a.keyed)
        .map((a) => a.buyer),
    );
    const [{ keys }] = await t.db.query(
      `SELECT count(*)::int AS keys FROM idempotency_keys
        WHERE key LIKE 'order-%' AND response IS NOT NULL AND user_id = ANY ($1)`,
      [keyedUserIds],
    );
    expect(keys).toBe(keyedBuyers.size);
  });

  it('answers every loser 409 INSUFFICIENT_TICKETS', () => {
    const losers = answers.filter((a) => a.status === 409).map((a) => (JSON.parse(a.text) as { code: string }).code);
    expect(new Set(losers)).toEqual(new Set(['INSUFFICIENT_TICKETS']));
  });

  it('leaves the counters equal to the aggregates', async () => {
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it('sells keyed bookings in batches: several inserted by one transaction', async () => {
    const [row] = await t.db.query(
      `SELECT count(*)::int AS bookings, count(DISTINCT xmin::text)::int AS transactions
         FROM bookings WHERE event_id = $1 AND user_id = ANY($2)`,
      [event.id, keyedUserIds],
    );
    expect(row.transactions).toBeLessThan(row.bookings);
  });
});
