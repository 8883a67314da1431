import { Client } from 'pg';
import request from 'supertest';
import { createDatabaseIfMissing, withDataSource } from '../../src/database/database';
import { BookingEntity } from '../../src/modules/bookings/entities/booking.entity';
import { checkedFetch } from '../support/contract';
import { eventsWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { RestartablePostgres, startRestartablePostgres } from '../support/restartable-postgres';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { eventually } from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

describe('Database faults', () => {
  describe('a booking that waits too long for the event lock', () => {
    let t: TestApp;
    let admin: Caller;
    let customer: Caller;
    beforeAll(async () => {
      t = await createTestApp({ DATABASE_LOCK_TIMEOUT_MS: '300' });
      admin = await createAdmin(t);
      customer = await registerCustomer(t);
    });
    afterAll(() => t.close());

    it('answers 503 SERVICE_UNAVAILABLE with Retry-After and books nothing', async () => {
      const event = await createEvent(t, admin);
      const holder = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM events WHERE id = $1 FOR UPDATE', [event.id]);
        const res = await t
          .http()
          .post('/api/v1/bookings')
          .set(customer.auth)
          .send({ event_id: event.id, quantity: 1 })
          .expect(503);
        expect(res.body).toEqual({ success: false, code: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
        expect(res.headers['retry-after']).toBe('1');
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      expect(await t.db.getRepository(BookingEntity).countBy({ eventId: event.id })).toBe(0);
    });
  });

  /**
   * Buyers book with an Idempotency-Key each while the PostgreSQL server is stopped and started
   * again under the API. While it is down the API must answer 503 promptly; once it is back the
   * API must serve again by itself. A buyer whose answer was not 201 retries with the same key,
   * as a client would; afterwards every booking the database holds is one somebody was told
   * about, exactly once.
   */
  describe('PostgreSQL restarting in the middle of a booking load', () => {
    jest.setTimeout(180_000);
    const BUYERS = 8;
    const REQUEST_TIMEOUT_MS = 15_000;
    let server: RestartablePostgres;
    let url: string;
    let api: ServerProcess;
    let eventId: number;
    const answers: { key: string; status: number; bookingId?: number; phase: string }[] = [];
    const retried: { key: string; status: number; bookingId?: number }[] = [];

    beforeAll(async () => {
      server = await startRestartablePostgres();
      await createDatabaseIfMissing(server.url('postgres'), 'restart');
      url = server.url('restart');
      api = await startServerProcess(
        testServerEnv({ DATABASE_URL: url, RATE_LIMIT_ENABLED: 'false', DATABASE_CONNECT_TIMEOUT_MS: '1000' }),
      );
      await api.ready;
      const viaApi = { http: () => request(api.url), db: undefined } as unknown as TestApp;
      const buyers: Caller[] = [];
      for (let i = 0; i < BUYERS; i++) buyers.push(await registerCustomer(viaApi));
      const admin = await withDataSource(url, (db) => createAdmin({ ...viaApi, db }));
      eventId = (await createEvent(viaApi, admin, { capacity: 1_000_000 })).id;

      let phase = 'before';
      let sent = 0;
      const bookOnce = async (buyer: Caller, key: string) => {
        try {
          const res = await checkedFetch(`${api.url}/api/v1/bookings`, {
            method: 'POST',
            headers: { ...buyer.auth, 'Content-Type': 'application/json', 'Idempotency-Key': key },
            body: JSON.stringify({ event_id: eventId, quantity: 1 }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const body = (await res.json()) as { id?: number };
          return { key, status: res.status, bookingId: res.status === 201 ? body.id : undefined };
        } catch (error) {
          return { key, status: (error as Error).name === 'TimeoutError' ? -1 : 0 };
        }
      };
      const buyerLoop = async (buyer: Caller, b: number) => {
        while (phase !== 'done') {
          const answer = await bookOnce(buyer, `restart-${b}-${sent++}`);
          answers.push({ ...answer, phase });
          if (phase === 'after' && answer.status === 201) phase = 'done';
        }
      };
      const load = Promise.all(buyers.map(buyerLoop));
      const answered = (inPhase: string, status: number) =>
        answers.filter((a) => a.phase === inPhase && a.status === status).length;
      await eventually(
        'bookings before the restart',
        () => answered('before', 201),
        (n) => n >= BUYERS,
      );
      phase = 'stopping';
      await server.stop();
      phase = 'down';
      await eventually(
        'refusals while the database is down',
        () => answered('down', 503),
        (n) => n >= BUYERS,
      );
      await server.start();
      phase = 'after';
      await load;

      for (const { key } of answers.filter((answer) => answer.status !== 201)) {
        const buyer = buyers[Number(key.split('-')[1])];
        let answer = await bookOnce(buyer, key);
        for (let attempt = 1; answer.status === 503 && attempt < 5; attempt++) answer = await bookOnce(buyer, key);
        retried.push(answer);
      }
    });

    afterAll(async () => {
      await api?.stop();
      await server?.close();
    });

    it('books before the restart', () => {
      expect(answers.filter((a) => a.phase === 'before' && a.status === 201).length).toBeGreaterThan(0);
    });

    it('answers 503 promptly while the database is down, never a 500 or a hang', () => {
      const down = answers.filter((a) => a.phase === 'down');
      expect(down.length).toBeGreaterThan(0);
      expect(down.every((a) => a.status === 503)).toBe(true);
      expect(answers.filter((a) => a.status !== 201 && a.status !== 503)).toEqual([]);
    });

    it('logs each 503 at error level, and why, under the same request id', () => {
      const lines = api
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; request_id?: string; res?: object });
      const answered = lines.find((line) => line.msg === 'request errored');
      expect(answered).toMatchObject({ level: 50, res: { status: 503 }, request_id: expect.any(String) });
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 40,
          request_id: answered?.request_id,
          msg: expect.stringMatching(/^database unavailable/),
        }),
      );
    });

    it('serves again by itself once the database is back', () => {
      expect(answers.filter((a) => a.phase === 'after' && a.status === 201).length).toBeGreaterThan(0);
    });

    it('books every retried request once, or replays the booking its first try made', () => {
      expect(retried.filter((r) => r.status !== 201)).toEqual([]);
    });

    it('holds exactly the bookings the buyers were told about: none lost, none doubled', async () => {
      const told = new Map<string, number>();
      for (const answer of [...answers, ...retried]) {
        if (answer.status !== 201) continue;
        expect(told.get(answer.key) ?? answer.bookingId).toBe(answer.bookingId);
        told.set(answer.key, answer.bookingId!);
      }
      const held: number[] = await withDataSource(url, async (db) =>
        (await db.getRepository(BookingEntity).findBy({ eventId })).map((booking) => booking.id),
      );
      expect(held.sort((a, b) => a - b)).toEqual([...told.values()].sort((a, b) => a - b));
      expect(told.size).toBe(new Set(answers.map((a) => a.key)).size);
    });

    it('leaves the counters equal to the aggregates', async () => {
      expect(await withDataSource(url, (db) => eventsWithWrongCounters(db))).toEqual([]);
    });
  });
});
