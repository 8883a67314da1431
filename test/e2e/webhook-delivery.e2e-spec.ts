import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { book, Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { freePort, ServerProcess, startServerProcess } from '../support/server-process';
import { eventually } from '../support/storm';
import { TestApp, testServerEnv } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const ENV = {
  RATE_LIMIT_MAX: '1000000',
  LOGIN_RATE_LIMIT_MAX: '1000000',
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_MAX_ATTEMPTS: '10',
};
const CAPACITY = 30;
const BUYERS = 40;
const ROUNDS = 3;

/**
 * Webhook delivery by built API processes sharing one database, as in production: no other
 * process delivers, so what a receiver gets, these processes sent.
 */
describe('Webhook delivery from API processes', () => {
  jest.setTimeout(120_000);
  let db: DataSource;
  let servers: ServerProcess[] = [];
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    db = await new DataSource(typeOrmOptions(process.env.TEST_DATABASE_URL!, { poolSize: 2 })).initialize();
    receiver = new WebhookReceiver(await freePort());
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.query('DELETE FROM webhook_endpoints');
    await db.destroy();
    await receiver.close();
  });

  /** The API of process `i`, for the test factories. */
  const api = (i: number) => ({ http: () => request(servers[i].url), db }) as unknown as TestApp;
  const start = async () => {
    const server = await startServerProcess(testServerEnv(ENV));
    await server.ready;
    servers.push(server);
    return server;
  };
  /** How many messages each process has delivered (its webhook_deliveries_total). */
  const deliveredBy = () =>
    Promise.all(
      servers.map(async ({ url }) => {
        const metrics = await (await fetch(`${url}/metrics`)).text();
        return Number(/^webhook_deliveries_total (\d+)$/m.exec(metrics)![1]);
      }),
    );
  const register = async (admin: Caller, events: string[]) =>
    (await api(0).http().post('/api/v1/webhooks').set(admin.auth).send({ url: receiver.url, events }).expect(201))
      .body as { id: number; secret: string };

  it('delivers a committed booking whose API process was killed (SIGKILL) right after the commit, once restarted', async () => {
    const killed = await start();
    const admin = await createAdmin(api(0));
    const customer = await registerCustomer(api(0));
    const hook = await register(admin, ['booking.confirmed']);
    const event = await createEvent(api(0), admin);

    const booking = await book(api(0), customer, event.id);
    killed.process.kill('SIGKILL');
    await killed.exited;
    servers = [];

    const [message] = await db.query(
      `SELECT m.id, d.status FROM webhook_messages m JOIN webhook_deliveries d ON d.message_id = m.id
        WHERE m.resource = $1 AND d.endpoint_id = $2`,
      [`booking/${booking.id}`, hook.id],
    );
    expect(message).toEqual({ id: expect.any(String), status: 'pending' });
    await receiver.listen();
    await start();
    const received = await receiver.first('booking.confirmed', booking.id, 30_000);
    expect(received.message.id).toBe(message.id);
    expect(received.message.data).toEqual(booking);
    expect(new Webhook(hook.secret).verify(received.body, received.headers)).toBeTruthy();
  });

  it('on two processes, delivers one message per committed booking and cancellation of a storm, once each, in order per booking', async () => {
    await start();
    const admin = await createAdmin(api(0));
    await db.query('DELETE FROM webhook_endpoints');
    receiver.received.length = 0;
    await register(admin, ['booking.confirmed', 'booking.cancelled']);
    const event = await createEvent(api(0), admin, { capacity: CAPACITY });
    const buyers = await Promise.all(Array.from({ length: BUYERS }, () => registerCustomer(api(0))));
    const deliveredBefore = await deliveredBy();

    const committed = { confirmed: new Set<number>(), cancelled: new Set<number>() };
    /** Buyer `i` books a seat, on one process or the other, and cancels every other booking. */
    const buy = async (buyer: Caller, i: number) => {
      for (let round = 0; round < ROUNDS; round++) {
        const server = servers[(i + round) % 2].url;
        const booked = await fetch(`${server}/api/v1/bookings`, {
          method: 'POST',
          headers: { ...buyer.auth, 'content-type': 'application/json' },
          body: JSON.stringify({ event_id: event.id, quantity: 1 }),
        });
        if (booked.status !== 201) {
          expect(booked.status).toBe(409);
          continue;
        }
        const { id } = (await booked.json()) as { id: number };
        committed.confirmed.add(id);
        if ((i + round) % 2 === 1) continue;
        const cancelled = await fetch(`${servers[(i + round + 1) % 2].url}/api/v1/bookings/${id}/status`, {
          method: 'PUT',
          headers: { ...buyer.auth, 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'cancelled' }),
        });
        expect(cancelled.status).toBe(200);
        committed.cancelled.add(id);
      }
    };
    await Promise.all(buyers.map(buy));
    expect(committed.confirmed.size).toBeGreaterThan(CAPACITY);

    const changes = committed.confirmed.size + committed.cancelled.size;
    await receiver.until((received) => new Set(received.map((r) => r.message.id)).size >= changes, 60_000);
    // A process counts a delivery when it records it, in its next claim: wait for the counts, not a time.
    const sum = (counts: number[]) => counts.reduce((a, n, i) => a + n - deliveredBefore[i], 0);
    await eventually('both processes to count their deliveries', deliveredBy, (counts) => sum(counts) >= changes);

    const ids = receiver.received.map((r) => r.message.id);
    expect(ids).toHaveLength(new Set(ids).size);
    const delivered = (await deliveredBy()).map((n, i) => n - deliveredBefore[i]);
    expect(delivered.every((n) => n > 0)).toBe(true);
    expect(delivered[0] + delivered[1]).toBe(changes);
    const about = (type: string) => receiver.of(type).map((r) => r.message.data.id);
    expect(about('booking.confirmed').sort()).toEqual([...committed.confirmed].sort());
    expect(about('booking.cancelled').sort()).toEqual([...committed.cancelled].sort());
    for (const id of committed.cancelled) {
      const order = receiver.received.filter((r) => r.message.data.id === id).map((r) => r.message.type);
      expect(order).toEqual(['booking.confirmed', 'booking.cancelled']);
    }
    const [{ count }] = await db.query(`SELECT count(*)::int FROM webhook_messages WHERE data->>'event_id' = $1`, [
      String(event.id),
    ]);
    expect(count).toBe(changes);
  });
});
