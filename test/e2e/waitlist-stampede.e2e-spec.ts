import { eventsWithWrongCounters, ticketTypesWithWrongCounters } from '../support/counters';
import { book, Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { ServerProcess, startServers } from '../support/server-process';
import { holdTimeIsUp, Outcome, SAMPLE_EVERY, Seats, seatsOf, sleep, Storm } from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const CAPACITY = 20;
const WAITERS = 50;
const OUTSIDERS = 10;
/** Long enough that no offer confirmed as soon as it is seen has run out, however loaded the machine. */
const TTL_SECONDS = 60;

type Step = 'join' | 'leave' | 'confirm' | 'release' | 'late confirm' | 'cancel' | 'outsider';

/**
 * A sold-out event on two API processes sharing one database, with everyone on its waiting list,
 * whose seats then come back one by one (cancellations) while waiters confirm their offers,
 * release them or let them run out (their time moved past in the database; they confirm late), leave
 * and join again, and after each cancellation every outsider, who never waits, tries to book.
 * With this many waiting for one seat each, someone always waits, so no outsider may ever get a seat.
 */
describe('A storm on the waiting list of a sold-out event on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let servers: ServerProcess[];
  let event: { id: number };
  let storm: Storm<Step, Seats>;

  beforeAll(async () => {
    t = await createTestApp();
    const env = testServerEnv({
      RATE_LIMIT_MAX: '1000000',
      HOLD_TTL_SECONDS: String(TTL_SECONDS),
      WAITLIST_OFFER_TTL_SECONDS: String(TTL_SECONDS),
    });
    servers = await startServers(env);

    const admin = await createAdmin(t);
    event = await createEvent(t, admin, { capacity: CAPACITY, price: '7.77' });
    const owner = await registerCustomer(t);
    const bookings: { id: number }[] = [];
    for (let i = 0; i < CAPACITY; i++) bookings.push(await book(t, owner, event.id));
    const waiters: Caller[] = [];
    for (let i = 0; i < WAITERS; i++) waiters.push(await registerCustomer(t));
    const outsiders: Caller[] = [];
    for (let i = 0; i < OUTSIDERS; i++) outsiders.push(await registerCustomer(t));

    storm = new Storm<Step, Seats>(servers, seatsOf(t.db, event.id));
    const send = storm.send.bind(storm);
    const join = (i: number) => send('join', waiters[i], 'POST', `/events/${event.id}/waitlist`, { quantity: 1 });
    /** Every waiter on the list, in order, before any seat comes back. */
    const entries: Outcome<Step>['body'][] = [];
    for (let i = 0; i < WAITERS; i++) entries.push((await join(i)).body);

    let over = false;
    /**
     * One waiter until the seats have all come back (`i` picks the habit): wait for an offer,
     * and confirm it, release it, or let it run out and come back to confirm late; or, for every
     * fifth waiter, leave after ten looks if no offer came. Then join again.
     */
    const wait = async (i: number) => {
      const waiter = waiters[i];
      let entry = entries[i];
      while (!over) {
        for (let looks = 0; entry.status === 'waiting' && !over; looks++) {
          await sleep(50);
          if (i % 5 === 4 && looks === 10) {
            entry = (await send('leave', waiter, 'DELETE', `/waitlist/${entry.id}`)).body;
            break;
          }
          entry = (await (
            await fetch(`${servers[i % 2].url}/api/v1/waitlist/${entry.id}`, { headers: waiter.auth })
          ).json()) as Outcome<Step>['body'];
        }
        if (entry.status === 'offered') {
          const offer = `/holds/${entry.hold_id}`;
          if (i % 4 === 0) await send('release', waiter, 'DELETE', offer);
          else if (i % 4 === 1) {
            await holdTimeIsUp(t.db, entry.hold_id as number);
            await send('late confirm', waiter, 'POST', `${offer}/confirm`);
          } else await send('confirm', waiter, 'POST', `${offer}/confirm`);
        }
        if (over) break;
        let joined = await join(i);
        while (joined.status !== 201 && !over) {
          await sleep(50);
          joined = await join(i);
        }
        entry = joined.body;
      }
    };
    /** Each seat comes back, and every outsider tries to book it. */
    const giveBack = async () => {
      for (const { id } of bookings) {
        await send('cancel', owner, 'PUT', `/bookings/${id}/status`, { status: 'cancelled' });
        await Promise.all(
          outsiders.map((outsider) =>
            send('outsider', outsider, 'POST', '/bookings', { event_id: event.id, quantity: 1 }),
          ),
        );
      }
      over = true;
    };
    await Promise.all([...waiters.map((_, i) => wait(i)), giveBack()]);
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

  it('runs every kind of change many times, and refuses late confirmations of offers that ran out', () => {
    for (const step of ['join', 'leave', 'confirm', 'release', 'cancel'] as const) {
      expect(of(step).filter((o) => o.status < 300).length).toBeGreaterThan(1);
    }
    expect(of('late confirm').some((o) => o.body.code === 'HOLD_EXPIRED')).toBe(true);
  });

  it('refuses only for the reasons the contract gives', () => {
    for (const status of statuses('join')) expect(['201', '409 TICKETS_AVAILABLE']).toContain(status);
    for (const status of statuses('leave')) expect(status).toBe('200');
    for (const status of statuses('confirm')) expect(status).toBe('201');
    for (const status of statuses('release')) expect(status).toBe('200');
    for (const status of statuses('late confirm')) expect(['201', '409 HOLD_EXPIRED']).toContain(status);
    for (const status of statuses('cancel')) expect(status).toBe('200');
  });

  it('never sells a freed seat to a buyer who is not waiting while someone waits', () => {
    expect(of('outsider')).toHaveLength(CAPACITY * OUTSIDERS);
    expect(of('outsider').filter((o) => o.status !== 409)).toEqual([]);
  });

  it('never had more seats sold and held than capacity, at any moment sampled', () => {
    expect(storm.samples.length).toBeGreaterThanOrEqual(Math.floor(storm.outcomes.length / SAMPLE_EVERY));
    expect(storm.samples.filter((s) => s.sold + s.held > s.capacity || s.held < 0)).toEqual([]);
  });

  it('gives each offer to one entry, and each entry one offer at most', async () => {
    const [row] = await t.db.query(
      `SELECT (SELECT count(*) FROM holds WHERE event_id = $1 AND offer)::int AS offers,
              (SELECT count(*) FROM waitlist_entries WHERE event_id = $1 AND hold_id IS NOT NULL)::int AS offered,
              (SELECT count(DISTINCT hold_id) FROM waitlist_entries WHERE event_id = $1)::int AS distinct_offers`,
      [event.id],
    );
    expect(row.offers).toBeGreaterThan(5);
    expect(row).toEqual({ offers: row.offers, offered: row.offers, distinct_offers: row.offers });
  });

  /**
   * Joins and offers take the event's row lock, so entries are numbered in order of arrival and
   * offers made one after the other: as every waiter wants one seat, which any freed seat fits,
   * each offer must have gone to the first waiting entry, so offers follow the entries' order.
   */
  it('makes offers in order of arrival', async () => {
    const offered: { hold_id: number }[] = await t.db.query(
      'SELECT hold_id FROM waitlist_entries WHERE event_id = $1 AND hold_id IS NOT NULL ORDER BY id',
      [event.id],
    );
    const holdIds = offered.map((o) => o.hold_id);
    expect(holdIds).toEqual([...holdIds].sort((a, b) => a - b));
  });

  /** Seats passed on after the storm make new offers, so some entries may still be offered. */
  it('leaves every entry in the state of its offer: fulfilled with a confirmed hold, expired with an ended one', async () => {
    const wrong = await t.db.query(
      `SELECT w.id, w.status, h.status AS offer FROM waitlist_entries w LEFT JOIN holds h ON h.id = w.hold_id
        WHERE w.event_id = $1
          AND NOT (w.status = 'fulfilled' AND h.status = 'confirmed'
                OR w.status = 'expired' AND h.status IN ('expired', 'released')
                OR w.status = 'left' AND (h.id IS NULL OR h.status IN ('released', 'expired'))
                OR w.status = 'waiting' AND h.id IS NULL
                OR w.status = 'offered' AND h.status = 'active')`,
      [event.id],
    );
    expect(wrong).toEqual([]);
  });

  it('sells no seat twice and leaves the counters equal to the aggregates', async () => {
    const [{ sold }] = await t.db.query(
      `SELECT count(*)::int AS sold FROM tickets JOIN bookings b ON b.id = tickets.booking_id
        WHERE b.event_id = $1 AND tickets.status = 'active'`,
      [event.id],
    );
    expect(sold).toBeLessThanOrEqual(CAPACITY);
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
  });
});
