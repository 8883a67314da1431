import { checkedFetch } from '../support/contract';
import { eventsWithWrongCounters } from '../support/counters';
import { book, Caller, createAdmin, createEvent, hold, registerCustomer } from '../support/factories';
import { ServerProcess, startServers } from '../support/server-process';
import {
  eventually,
  holdsEnded,
  holdTimeIsUp,
  Outcome,
  SAMPLE_EVERY,
  Seats,
  seatsOf,
  sleep,
  Storm,
} from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const CAPACITY = 40;
const PRESOLD = 10;
const BUYERS = 80;
/** Journeys per buyer: the storm is a fixed amount of work, however fast the machine. */
const ROUNDS = 5;
/** Long enough that no confirmation sent at once finds its hold expired, however loaded the machine. */
const TTL_SECONDS = 60;
/** The race at the moment of expiry: short, so the race happens while the test waits. */
const RACE_TTL_SECONDS = 1;

type Step = 'book' | 'hold' | 'confirm' | 'release' | 'late confirm' | 'cancel';

/**
 * Every way seats change, at once, on two API processes sharing one database: direct bookings,
 * holds confirmed at once, holds released, holds whose time runs out (some confirmed after they
 * expired, racing the sweepers), and cancellations of earlier bookings, while both processes
 * sweep expired holds. The storm reads the event's seats as it goes.
 */
describe('A stampede of holds, confirmations, releases, expiries and bookings on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let servers: ServerProcess[];
  let event: { id: number };
  let storm: Storm<Step, Seats>;

  beforeAll(async () => {
    t = await createTestApp();
    const env = testServerEnv({ RATE_LIMIT_MAX: '1000000', HOLD_TTL_SECONDS: String(TTL_SECONDS) });
    servers = await startServers(env);

    const admin = await createAdmin(t);
    event = await createEvent(t, admin, { capacity: CAPACITY, price: '12.34' });
    const buyers: Caller[] = [];
    for (let i = 0; i < BUYERS; i++) buyers.push(await registerCustomer(t));
    const presold: { buyer: Caller; booking: { id: number } }[] = [];
    for (let i = 0; i < PRESOLD; i++) presold.push({ buyer: buyers[i], booking: await book(t, buyers[i], event.id) });

    storm = new Storm<Step, Seats>(servers, seatsOf(t.db, event.id));
    const send = storm.send.bind(storm);
    const order = { event_id: event.id, quantity: 1 };
    const cancel = (buyer: Caller, booking: Outcome<Step>) =>
      booking.status === 201 &&
      send('cancel', buyer, 'PUT', `/bookings/${booking.body.id}/status`, { status: 'cancelled' });
    /**
     * One buyer's ROUNDS journeys, `i` picking which: book and cancel; hold two and confirm
     * (cancelling every other booking); hold and release; hold and let its time run out, half of
     * them coming back to confirm after the hold expired.
     */
    const shop = async (i: number) => {
      const buyer = buyers[i];
      for (let round = 0; round < ROUNDS; round++) {
        const journey = i % 4;
        if (journey === 0) {
          await cancel(buyer, await send('book', buyer, 'POST', '/bookings', order));
          continue;
        }
        const held = await send('hold', buyer, 'POST', '/holds', { ...order, quantity: journey === 1 ? 2 : 1 });
        if (held.status !== 201) continue;
        if (journey === 1) {
          const confirmed = await send('confirm', buyer, 'POST', `/holds/${held.body.id}/confirm`);
          if (round % 2 === 1) await cancel(buyer, confirmed);
        } else if (journey === 2) {
          await send('release', buyer, 'DELETE', `/holds/${held.body.id}`);
        } else {
          await holdTimeIsUp(t.db, held.body.id as number);
          if (i % 2 === 1)
            await cancel(buyer, await send('late confirm', buyer, 'POST', `/holds/${held.body.id}/confirm`));
        }
      }
    };

    /** The earlier bookings are cancelled one by one as the storm goes on, every 20 answers. */
    const cancelPresold = async () => {
      for (const [i, { buyer, booking }] of presold.entries()) {
        await eventually(
          `${i * 20} answers`,
          () => storm.outcomes.length,
          (n) => n >= i * 20,
        );
        await send('cancel', buyer, 'PUT', `/bookings/${booking.id}/status`, { status: 'cancelled' });
      }
    };
    await Promise.all([...buyers.map((_, i) => shop(i)), cancelPresold()]);
    await holdsEnded(t.db, event.id);
  });

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
  });

  const of = (step: Step) => storm.answers(step);
  const statuses = (step: Step) => storm.statuses(step);

  it('answers every request with a 2xx or a 409, never a 5xx', () => {
    expect(storm.unexpected()).toEqual([]);
  });

  it('runs every kind of change many times', () => {
    for (const step of ['book', 'hold', 'confirm', 'release'] as const) {
      expect(of(step).filter((o) => o.status < 300).length).toBeGreaterThan(3);
    }
    // A late confirmation succeeds only if no one took the seats meanwhile: either way, it is tried.
    expect(of('late confirm').length).toBeGreaterThan(3);
    expect(of('cancel').length).toBeGreaterThan(PRESOLD);
    expect(of('cancel').every((o) => o.status === 200)).toBe(true);
  });

  it('refuses only for the reasons the contract gives', () => {
    for (const status of statuses('book')) expect(['201', '409 INSUFFICIENT_TICKETS']).toContain(status);
    for (const status of statuses('hold')) expect(['201', '409 INSUFFICIENT_TICKETS']).toContain(status);
    for (const status of statuses('confirm')) expect(status).toBe('201');
    for (const status of statuses('release')) expect(status).toBe('200');
    for (const status of statuses('late confirm')) expect(['201', '409 HOLD_EXPIRED']).toContain(status);
  });

  it('never had more seats sold and held than capacity, at any moment sampled', () => {
    expect(storm.samples.length).toBeGreaterThanOrEqual(Math.floor(storm.outcomes.length / SAMPLE_EVERY));
    expect(storm.samples.filter((s) => s.sold + s.held > s.capacity || s.held < 0)).toEqual([]);
  });

  it('gives every confirmed hold exactly one booking, the one its confirmation answered', async () => {
    const rows: { id: number; booking_id: number; quantity: number; booked: number }[] = await t.db.query(
      `SELECT h.id, h.booking_id, h.quantity, b.quantity AS booked
         FROM holds h LEFT JOIN bookings b ON b.id = h.booking_id WHERE h.event_id = $1 AND h.status = 'confirmed'`,
      [event.id],
    );
    expect(rows.filter((r) => r.booked !== r.quantity)).toEqual([]);
    const answered = [...of('confirm'), ...of('late confirm')].filter((o) => o.status === 201).map((o) => o.body.id);
    expect(rows.map((r) => r.booking_id).sort()).toEqual(answered.sort());
  });

  it('ends every hold: none is still active once its time is up and the sweepers passed', async () => {
    const [{ active }] = await t.db.query(
      `SELECT count(*)::int AS active FROM holds WHERE event_id = $1 AND status = 'active'`,
      [event.id],
    );
    expect(active).toBe(0);
  });

  /**
   * A late confirmation may take an expired hold's seats again, so a confirmed hold may have
   * been counted as expired before: at most once per late confirmation.
   */
  it('frees no seat twice: each ended hold was counted once by the three processes', async () => {
    const scrape = async (text: Promise<string>) => {
      const metrics = await text;
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
      return { released: value('holds_released_total'), expired: value('holds_expired_total') };
    };
    const counted = await Promise.all([
      ...servers.map((s) => scrape(fetch(`${s.url}/metrics`).then((r) => r.text()))),
      scrape(
        t
          .http()
          .get('/metrics')
          .then((r) => r.text),
      ),
    ]);
    const [{ released, expired }] = await t.db.query(
      `SELECT count(*) FILTER (WHERE status = 'released')::int AS released,
              count(*) FILTER (WHERE status = 'expired')::int AS expired
         FROM holds WHERE event_id = $1`,
      [event.id],
    );
    expect(counted.reduce((sum, c) => sum + c.released, 0)).toBe(released);
    const expiredCount = counted.reduce((sum, c) => sum + c.expired, 0);
    const lateConfirmed = of('late confirm').filter((o) => o.status === 201).length;
    expect(expiredCount).toBeGreaterThanOrEqual(expired);
    expect(expiredCount).toBeLessThanOrEqual(expired + lateConfirmed);
  });

  it('leaves the counters equal to the aggregates over bookings and holds', async () => {
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });
});

/**
 * Confirmations sent around the moment their holds expire, on two API processes that both sweep,
 * while rivals try to book the seats the expiry frees: each hold ends one way only.
 */
describe('Confirmations racing the expiry of their holds', () => {
  jest.setTimeout(120_000);
  const SEATS = 30;
  let t: TestApp;
  let servers: ServerProcess[];
  let event: { id: number };
  let confirmations: { holdId: number; status: number; body: { id?: number; code?: string } }[];

  beforeAll(async () => {
    const env = testServerEnv({ RATE_LIMIT_MAX: '1000000', HOLD_TTL_SECONDS: String(RACE_TTL_SECONDS) });
    t = await createTestApp({ HOLD_TTL_SECONDS: String(RACE_TTL_SECONDS) });
    servers = await startServers(env);
    const admin = await createAdmin(t);
    event = await createEvent(t, admin, { capacity: SEATS, price: '5.00' });
    const buyers: Caller[] = [];
    for (let i = 0; i < 2 * SEATS; i++) buyers.push(await registerCustomer(t));
    const holds = await Promise.all(buyers.slice(0, SEATS).map((buyer) => hold(t, buyer, event.id)));

    const post = async (i: number, caller: Caller, path: string, body?: object) => {
      const res = await checkedFetch(`${servers[i % 2].url}/api/v1${path}`, {
        method: 'POST',
        headers: { ...caller.auth, 'Content-Type': 'application/json' },
        body: body && JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { id?: number; code?: string } };
    };
    /** From 300 ms before the hold expires to 1.5 s after: before, against and after the sweepers. */
    const at = (i: number, expiresAt: string) => sleep(Date.parse(expiresAt) - 300 + (i * 1800) / SEATS - Date.now());
    [confirmations] = await Promise.all([
      Promise.all(
        holds.map(async (made, i) => {
          await at(i, made.expires_at);
          return { holdId: made.id, ...(await post(i, buyers[i], `/holds/${made.id}/confirm`)) };
        }),
      ),
      Promise.all(
        buyers.slice(SEATS).map(async (rival, i) => {
          await at(SEATS - 1 - i, holds[i].expires_at);
          return post(i + 1, rival, '/bookings', { event_id: event.id, quantity: 1 });
        }),
      ),
    ]);
    await holdsEnded(t.db, event.id);
  });

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
  });

  /** Which way each race goes depends on the machine's load; that each ends one of these ways does not. */
  it('answers each confirmation with its booking or 409 HOLD_EXPIRED', () => {
    const outcomes = confirmations.map((c) => `${c.status} ${c.body.code ?? ''}`.trim());
    expect(outcomes.filter((outcome) => outcome !== '201' && outcome !== '409 HOLD_EXPIRED')).toEqual([]);
  });

  it('leaves each hold confirmed with the booking answered, or expired with none', async () => {
    const rows: { id: number; status: string; booking_id: number | null }[] = await t.db.query(
      'SELECT id, status, booking_id FROM holds WHERE event_id = $1',
      [event.id],
    );
    const expected = confirmations.map((c) =>
      c.status === 201
        ? { id: c.holdId, status: 'confirmed', booking_id: c.body.id }
        : { id: c.holdId, status: 'expired', booking_id: null },
    );
    expect(rows.sort((a, b) => a.id - b.id)).toEqual(expected.sort((a, b) => a.id - b.id));
  });

  it('counts every seat once: sold by a confirmation or a rival, never both, never above capacity', async () => {
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    const [seats] = await t.db.query(
      'SELECT total_tickets_sold AS sold, total_tickets_held AS held FROM events WHERE id = $1',
      [event.id],
    );
    expect(seats.held).toBe(0);
    expect(seats.sold).toBeLessThanOrEqual(SEATS);
  });
});
