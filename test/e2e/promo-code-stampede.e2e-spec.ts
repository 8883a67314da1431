import { UserRole } from '../../src/modules/users/entities/user.entity';
import { eventsWithWrongCounters, promoCodesWithWrongUses, ticketTypesWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, uniquePhone } from '../support/factories';
import { ServerProcess, startServers } from '../support/server-process';
import { eventually, orderTimeIsUp, Storm } from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';
import { forgeToken, nowSeconds } from '../support/tokens';

const MAX_USES = 10;
const WITH_CODE = 300;
const WITHOUT_CODE = 60;
/** Enough seats for every order: only the code's limit can refuse one. */
const CAPACITY = WITH_CODE + WITHOUT_CODE + WITH_CODE;
const EXPIRING = 4;
const CANCELLED = 2;

type Step = 'with code' | 'without code' | 'again' | 'cancel';

/**
 * A promo code with a limit of 10 uses, and 300 one-ticket orders sending it at once (beside 60
 * orders without it) to two API processes sharing one database: the code's limit holds as an
 * event's capacity does, uses given back by expiry and cancellation are taken again, never more.
 */
describe('A stampede of orders for a promo code with 10 uses, on two API processes', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let servers: ServerProcess[];
  let event: { id: number };
  let promo: { id: number };
  let storm: Storm<Step>;
  let buyers: Caller[];
  /** The code's uses, as the database has them. */
  const codeState = async () => {
    const [{ uses }]: { uses: number }[] = await t.db.query('SELECT uses FROM promo_codes WHERE id = $1', [promo.id]);
    return uses;
  };
  const orderBody = (promoCode?: string) => ({
    event_id: event.id,
    lines: [{ quantity: 1 }],
    ...(promoCode ? { promo_code: promoCode } : {}),
  });

  beforeAll(async () => {
    t = await createTestApp();
    const env = testServerEnv({ RATE_LIMIT_MAX: '1000000', HOLD_TTL_SECONDS: '600' });
    servers = await startServers(env);
    const admin = await createAdmin(t);
    event = await createEvent(t, admin, { capacity: CAPACITY, price: '20.00' });
    promo = (
      await t
        .http()
        .post(`/api/v1/events/${event.id}/promo-codes`)
        .set(admin.auth)
        .send({ code: 'RUSH50', discount_type: 'percent', discount_value: 50, max_uses: MAX_USES })
        .expect(201)
    ).body;
    buyers = await customers(t, WITH_CODE + WITHOUT_CODE + WITH_CODE);
    storm = new Storm<Step>(servers);

    await Promise.all([
      ...buyers
        .slice(0, WITH_CODE)
        .map((buyer) => storm.send('with code', buyer, 'POST', '/orders', orderBody('rush50'))),
      ...buyers
        .slice(WITH_CODE, WITH_CODE + WITHOUT_CODE)
        .map((buyer) => storm.send('without code', buyer, 'POST', '/orders', orderBody())),
    ]);
  });
  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await t?.close();
  });

  it('answers only 201 or 409', () => {
    expect(storm.unexpected()).toEqual([]);
  });

  it('makes exactly max_uses discounted orders and refuses the rest with 409 PROMO_CODE_INVALID', () => {
    const answers = storm.answers('with code');
    const made = answers.filter((a) => a.status === 201);
    expect(made).toHaveLength(MAX_USES);
    expect(made.every((a) => (a.body as { discount_amount?: string }).discount_amount === '10.00')).toBe(true);
    expect(storm.statuses('with code')).toEqual(new Set(['201', '409 PROMO_CODE_INVALID']));
  });

  it('makes every order without the code, undiscounted', () => {
    const answers = storm.answers('without code');
    expect(answers.filter((a) => a.status === 201)).toHaveLength(WITHOUT_CODE);
  });

  it('counts exactly max_uses uses, equal to the tickets of the orders that used the code', async () => {
    expect(await codeState()).toBe(MAX_USES);
    expect(await promoCodesWithWrongUses(t.db, [event.id])).toEqual([]);
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    expect(await ticketTypesWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  describe('when 4 discounted orders expire and 2 are cancelled', () => {
    beforeAll(async () => {
      const made = storm.answers('with code').filter((a) => a.status === 201);
      const expiring = made.slice(0, EXPIRING).map((a) => a.body.id!);
      await orderTimeIsUp(t.db, expiring);
      for (const answer of made.slice(EXPIRING, EXPIRING + CANCELLED)) {
        const owner = buyers.find((b) => b.user.id === (answer.body as { user_id?: number }).user_id)!;
        await storm.send('cancel', owner, 'POST', `/orders/${answer.body.id}/cancel`);
      }
      await eventually(
        'the servers to expire the orders',
        codeState,
        (uses) => uses === MAX_USES - EXPIRING - CANCELLED,
      );
      await Promise.all(
        buyers
          .slice(WITH_CODE + WITHOUT_CODE)
          .map((buyer) => storm.send('again', buyer, 'POST', '/orders', orderBody('RUSH50'))),
      );
    });

    it('takes the uses given back once each: 6 more discounted orders, never more', async () => {
      expect(storm.answers('again').filter((a) => a.status === 201)).toHaveLength(EXPIRING + CANCELLED);
      expect(storm.statuses('again')).toEqual(new Set(['201', '409 PROMO_CODE_INVALID']));
      expect(await codeState()).toBe(MAX_USES);
    });

    it('keeps uses equal to the tickets of the pending and paid orders that used the code', async () => {
      expect(storm.unexpected()).toEqual([]);
      expect(await promoCodesWithWrongUses(t.db, [event.id])).toEqual([]);
      expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    });
  });
});

/** `count` customers written straight to the database, each with a token the servers accept. */
async function customers(t: TestApp, count: number): Promise<Caller[]> {
  const phones = Array.from({ length: count }, () => uniquePhone());
  const rows: { id: number; phone: string }[] = await t.db.query(
    `INSERT INTO users (name, phone, password_hash)
     SELECT 'Promo buyer', phone, 'not a login' FROM unnest($1::text[]) phone RETURNING id, phone`,
    [phones],
  );
  return rows.map(({ id, phone }) => {
    const token = forgeToken({ sub: id, iat: nowSeconds(), exp: nowSeconds() + 3600 });
    return {
      user: { id, name: 'Promo buyer', phone, role: UserRole.Customer },
      token,
      auth: { Authorization: `Bearer ${token}` },
    };
  });
}
