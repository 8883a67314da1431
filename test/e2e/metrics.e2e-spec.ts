import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('GET /metrics', () => {
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(() => t.close());

  const scrape = async () => (await t.http().get('/metrics').expect(200)).text;
  /** The value of one series, 0 when absent. */
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  it('serves the Prometheus text format without a token, outside the API prefix', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(res.text).toContain('# TYPE http_requests_total counter');
  });

  it('counts requests and their latency by route pattern and status', async () => {
    const event = await createEvent(t, admin);
    const before = await scrape();
    const series = 'http_requests_total{method="GET",route="/api/v1/events/:id",status="200"}';
    await t.http().get(`/api/v1/events/${event.id}`).expect(200);
    await t.http().get(`/api/v1/events/${event.id}`).expect(200);
    const after = await scrape();
    expect(value(after, series) - value(before, series)).toBe(2);
    expect(after).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v1\/events\/:id",status="200"\}/,
    );
  });

  it('counts requests refused before a controller, unknown paths in one series', async () => {
    const before = await scrape();
    await t.http().get('/api/v1/nowhere').expect(404);
    await t.http().get('/api/v1/elsewhere/42').expect(404);
    await t.http().post('/api/v1/bookings').send({}).expect(401);
    const after = await scrape();
    const unknown = 'http_requests_total{method="GET",route="/api/v1/{*path}",status="404"}';
    const unauthorized = 'http_requests_total{method="POST",route="/api/v1/bookings",status="401"}';
    expect(value(after, unknown) - value(before, unknown)).toBe(2);
    expect(value(after, unauthorized) - value(before, unauthorized)).toBe(1);
    expect(after).not.toContain('nowhere');
  });

  it('counts bookings created and rejected, by code', async () => {
    const event = await createEvent(t, admin, { capacity: 2 });
    const before = await scrape();
    await t.http().post('/api/v1/bookings').set(customer.auth).send({ event_id: event.id, quantity: 2 }).expect(201);
    await t.http().post('/api/v1/bookings').set(customer.auth).send({ event_id: event.id, quantity: 1 }).expect(409);
    const after = await scrape();
    expect(value(after, 'bookings_created_total') - value(before, 'bookings_created_total')).toBe(1);
    const rejected = 'bookings_rejected_total{code="INSUFFICIENT_TICKETS"}';
    expect(value(after, rejected) - value(before, rejected)).toBe(1);
  });

  it('counts waiting-list entries, offers made, taken and expired', async () => {
    const event = await createEvent(t, admin, { capacity: 1 });
    const booking = (
      await t.http().post('/api/v1/bookings').set(customer.auth).send({ event_id: event.id, quantity: 1 }).expect(201)
    ).body;
    const names = [
      'waitlist_entries_total',
      'waitlist_offers_total',
      'waitlist_offers_taken_total',
      'waitlist_offers_expired_total',
    ];
    const before = await scrape();
    const [releaser, confirmer] = [await registerCustomer(t), await registerCustomer(t)];
    const first = (
      await t.http().post(`/api/v1/events/${event.id}/waitlist`).set(releaser.auth).send({ quantity: 1 }).expect(201)
    ).body;
    const next = (
      await t.http().post(`/api/v1/events/${event.id}/waitlist`).set(confirmer.auth).send({ quantity: 1 }).expect(201)
    ).body;
    await t
      .http()
      .put(`/api/v1/bookings/${booking.id}/status`)
      .set(customer.auth)
      .send({ status: 'cancelled' })
      .expect(200);
    const offer = (await t.http().get(`/api/v1/waitlist/${first.id}`).set(releaser.auth).expect(200)).body.hold_id;
    await t.http().delete(`/api/v1/holds/${offer}`).set(releaser.auth).expect(200);
    const nextOffer = (await t.http().get(`/api/v1/waitlist/${next.id}`).set(confirmer.auth).expect(200)).body.hold_id;
    await t.http().post(`/api/v1/holds/${nextOffer}/confirm`).set(confirmer.auth).expect(201);
    const after = await scrape();
    expect(names.map((name) => value(after, name) - value(before, name))).toEqual([2, 2, 1, 1]);
  });

  it('reports the database pool', async () => {
    const text = await scrape();
    expect(value(text, 'db_pool_connections{state="total"}')).toBeGreaterThan(0);
    expect(text).toContain('db_pool_connections{state="waiting"}');
  });
});
