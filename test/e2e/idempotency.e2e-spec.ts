import { BookingEntity } from '../../src/modules/bookings/entities/booking.entity';
import { IdempotencyKeys } from '../../src/modules/idempotency/idempotency-keys.service';
import { eventsWithWrongCounters } from '../support/counters';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('Idempotent bookings (Idempotency-Key)', () => {
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(() => t.close());

  let nextKey = 0;
  const newKey = () => `key-${process.pid}-${++nextKey}`;
  const post = (caller: Caller, key: string, body: object) =>
    t.http().post('/api/v1/bookings').set(caller.auth).set('Idempotency-Key', key).send(body);
  const bookingsOf = (eventId: number) => t.db.getRepository(BookingEntity).countBy({ eventId });

  it('answers a retry with the original status and body, byte for byte, and books nothing more', async () => {
    const event = await createEvent(t, admin);
    const key = newKey();
    const first = await post(customer, key, { event_id: event.id, quantity: 2 }).expect(201);
    const retry = await post(customer, key, { event_id: event.id, quantity: 2 }).expect(201);
    expect(retry.text).toBe(first.text);
    expect(await bookingsOf(event.id)).toBe(1);
  });

  it('books once when 20 retries with the same key arrive at the same time', async () => {
    const event = await createEvent(t, admin, { capacity: 100 });
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(customer, key, { event_id: event.id, quantity: 3 })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(await bookingsOf(event.id)).toBe(1);
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
    const { body } = await t.http().get(`/api/v1/events/${event.id}`).expect(200);
    expect(body.total_tickets_sold).toBe(3);
  });

  it('refuses the same key with a different body (409 IDEMPOTENCY_KEY_REUSED) and books nothing', async () => {
    const event = await createEvent(t, admin);
    const key = newKey();
    await post(customer, key, { event_id: event.id, quantity: 1 }).expect(201);
    const { body } = await post(customer, key, { event_id: event.id, quantity: 2 }).expect(409);
    expect(body).toEqual({ success: false, code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringContaining(key) });
    expect(await bookingsOf(event.id)).toBe(1);
  });

  it('treats an explicit user_id equal to the caller as the same request', async () => {
    const event = await createEvent(t, admin);
    const key = newKey();
    const first = await post(customer, key, { event_id: event.id, quantity: 1 }).expect(201);
    const retry = await post(customer, key, { user_id: customer.user.id, event_id: event.id, quantity: 1 });
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
  });

  it("keeps each caller's keys apart: another user's same key books again", async () => {
    const event = await createEvent(t, admin);
    const other = await registerCustomer(t);
    const key = newKey();
    const mine = await post(customer, key, { event_id: event.id, quantity: 1 }).expect(201);
    const theirs = await post(other, key, { event_id: event.id, quantity: 1 }).expect(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.user_id).toBe(other.user.id);
  });

  it('does not remember a refusal: the same key books once seats are free', async () => {
    const event = await createEvent(t, admin, { capacity: 2 });
    const blocker = await post(admin, newKey(), { user_id: customer.user.id, event_id: event.id, quantity: 2 });
    const key = newKey();
    await post(customer, key, { event_id: event.id, quantity: 1 }).expect(409);
    await t
      .http()
      .put(`/api/v1/bookings/${blocker.body.id}/status`)
      .set(admin.auth)
      .send({ status: 'cancelled' })
      .expect(200);
    await post(customer, key, { event_id: event.id, quantity: 1 }).expect(201);
  });

  it('reclaims the seats of holds whose time is up, as a booking without a key does', async () => {
    const event = await createEvent(t, admin, { capacity: 2 });
    const due = await t.http().post('/api/v1/holds').set(admin.auth).send({ event_id: event.id, quantity: 2 });
    await t.db.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [due.body.id]);
    await post(customer, newKey(), { event_id: event.id, quantity: 2 }).expect(201);
  });

  it('lets a key past its 24 hours start a new booking', async () => {
    const event = await createEvent(t, admin);
    const key = newKey();
    const first = await post(customer, key, { event_id: event.id, quantity: 1 }).expect(201);
    await t.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    const second = await post(customer, key, { event_id: event.id, quantity: 1 }).expect(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('purges keys past their 24 hours and keeps younger ones', async () => {
    const event = await createEvent(t, admin);
    const [old, young] = [newKey(), newKey()];
    await post(customer, old, { event_id: event.id, quantity: 1 }).expect(201);
    await post(customer, young, { event_id: event.id, quantity: 1 }).expect(201);
    await t.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [old]);
    await t.app.get(IdempotencyKeys).purgeExpired();
    const rows: { key: string }[] = await t.db.query('SELECT key FROM idempotency_keys WHERE key = ANY($1)', [
      [old, young],
    ]);
    expect(rows.map((row) => row.key)).toEqual([young]);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['not visible ASCII', 'key with spaces'],
  ])('refuses a malformed key (%s) with 400 VALIDATION_FAILED', async (_, key) => {
    const event = await createEvent(t, admin);
    const { body } = await post(customer, key, { event_id: event.id, quantity: 1 }).expect(400);
    expect(body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect(await bookingsOf(event.id)).toBe(0);
  });

  it('documents the header and its 409 in the OpenAPI document', async () => {
    const { body } = await t.http().get('/docs-json').expect(200);
    const operation = body.paths['/api/v1/bookings'].post;
    expect(operation.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    );
    expect(operation.responses['409'].description).toContain('IDEMPOTENCY_KEY_REUSED');
  });
});
