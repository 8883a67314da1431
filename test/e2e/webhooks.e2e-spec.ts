import { Webhook } from 'standardwebhooks';
import { book, cancelBooking, Caller, createAdmin, createEvent, hold, registerCustomer } from '../support/factories';
import { freePort } from '../support/server-process';
import { sleep } from '../support/storm';
import { createTestApp, TestApp } from '../support/test-app';
import { Received, WebhookReceiver } from '../support/webhook-receiver';

const ALL_TYPES = [
  'booking.confirmed',
  'booking.cancelled',
  'hold.created',
  'hold.released',
  'hold.expired',
  'event.updated',
  'event.cancelled',
  'ticket.checked_in',
  'waitlist.offered',
];
const RETRY_BASE_MS = 300;
const MAX_ATTEMPTS = 3;

/**
 * Webhooks through the API, delivered to real HTTP servers on this machine (private addresses
 * are allowed here; the production rules are tested in webhook-url.spec.ts).
 */
describe('Webhooks', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  let receiver: WebhookReceiver;
  let endpoint: { id: number; secret: string };

  beforeAll(async () => {
    t = await createTestApp({
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_RETRY_BASE_MS: String(RETRY_BASE_MS),
      WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      BOOKING_MAX_QUANTITY: '6',
    });
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
    receiver = new WebhookReceiver(await freePort());
    await receiver.listen();
    endpoint = await register(receiver.url, ALL_TYPES);
  });
  afterAll(async () => {
    await t.db.query('DELETE FROM webhook_endpoints');
    await t.close();
    await receiver.close();
  });

  const api = () => t.http();
  const register = async (url: string, events: string[]) =>
    (await api().post('/api/v1/webhooks').set(admin.auth).send({ url, events }).expect(201)).body;
  const deliveries = async (endpointId: number) =>
    (await api().get(`/api/v1/webhooks/${endpointId}/deliveries`).set(admin.auth).expect(200)).body;
  /** Messages recorded about bookings of event `eventId`. */
  const messagesAbout = async (eventId: number) =>
    Number(
      (await t.db.query(`SELECT count(*) FROM webhook_messages WHERE data->>'event_id' = $1`, [String(eventId)]))[0]
        .count,
    );
  const verify = (secret: string, { body, headers }: Pick<Received, 'body' | 'headers'>) =>
    new Webhook(secret).verify(body, headers);

  describe('endpoints', () => {
    it('shows the signing secret only in the response that creates the endpoint', async () => {
      const res = await api()
        .post('/api/v1/webhooks')
        .set(admin.auth)
        .send({ url: 'https://shop.example.com/hooks', events: ['booking.confirmed'], description: 'Shop' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        url: 'https://shop.example.com/hooks',
        events: ['booking.confirmed'],
        description: 'Shop',
        active: true,
        disabled_reason: null,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(res.headers.location).toBe(`/api/v1/webhooks/${res.body.id}`);
      const read = await api().get(`/api/v1/webhooks/${res.body.id}`).set(admin.auth).expect(200);
      const listed = await api().get('/api/v1/webhooks').set(admin.auth).expect(200);
      const { secret: _secret, ...shown } = res.body;
      expect(read.body).toEqual(shown);
      expect(listed.body).toContainEqual(shown);
      await api().delete(`/api/v1/webhooks/${res.body.id}`).set(admin.auth).expect(200);
    });

    it.each([
      ['an unknown event type', { url: 'https://shop.example.com', events: ['booking.made'] }, 'events'],
      ['no event type', { url: 'https://shop.example.com', events: [] }, 'events'],
      ['an event type twice', { url: 'https://shop.example.com', events: ['hold.created', 'hold.created'] }, 'events'],
      ['a URL that is not http(s)', { url: 'ftp://shop.example.com', events: ['hold.created'] }, 'url'],
      ['a relative URL', { url: '/hooks', events: ['hold.created'] }, 'url'],
    ])('refuses %s with 400, registering nothing', async (_, body, field) => {
      const before = await t.db.query('SELECT count(*) FROM webhook_endpoints');
      const res = await api().post('/api/v1/webhooks').set(admin.auth).send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await t.db.query('SELECT count(*) FROM webhook_endpoints')).toEqual(before);
    });

    it('lets only admins manage endpoints', async () => {
      await api().get('/api/v1/webhooks').set(customer.auth).expect(403);
      await api()
        .post('/api/v1/webhooks')
        .set(customer.auth)
        .send({ url: receiver.url, events: ALL_TYPES })
        .expect(403);
      await api().get(`/api/v1/webhooks/${endpoint.id}/deliveries`).expect(401);
    });

    it('changes the events an endpoint gets, and deletes it with its deliveries', async () => {
      const other = await register(receiver.url, ['event.updated']);
      const res = await api()
        .put(`/api/v1/webhooks/${other.id}`)
        .set(admin.auth)
        .send({ events: ['event.cancelled'], description: 'Door app' })
        .expect(200);
      expect(res.body).toMatchObject({ events: ['event.cancelled'], description: 'Door app', url: receiver.url });
      await api().delete(`/api/v1/webhooks/${other.id}`).set(admin.auth).expect(200);
      await api().get(`/api/v1/webhooks/${other.id}`).set(admin.auth).expect(404);
      await api().delete(`/api/v1/webhooks/${other.id}`).set(admin.auth).expect(404);
    });
  });

  describe('messages', () => {
    it('are signed as Standard Webhooks says: the reference verifier accepts them, and refuses an altered body or timestamp', async () => {
      const event = await createEvent(t, admin);
      const booking = await book(t, customer, event.id);
      const received = await receiver.first('booking.confirmed', booking.id);
      expect(verify(endpoint.secret, received)).toMatchObject({ type: 'booking.confirmed' });
      const altered = received.body.replace(`"quantity":1`, `"quantity":2`);
      expect(altered).not.toBe(received.body);
      expect(() => verify(endpoint.secret, { ...received, body: altered })).toThrow();
      const earlier = String(Number(received.headers['webhook-timestamp']) - 1);
      expect(() =>
        verify(endpoint.secret, { ...received, headers: { ...received.headers, 'webhook-timestamp': earlier } }),
      ).toThrow();
      expect(received.headers['webhook-id']).toBe(received.message.id);
    });

    it('booking.confirmed carries the booking as the API returns it', async () => {
      const event = await createEvent(t, admin, { price: '12.34' });
      const booking = await book(t, customer, event.id, 3);
      const received = await receiver.first('booking.confirmed', booking.id);
      expect(received.message).toEqual({
        id: expect.any(String),
        type: 'booking.confirmed',
        created_at: booking.created_at,
        data: booking,
      });
      const read = await api().get(`/api/v1/bookings/${booking.id}`).set(customer.auth).expect(200);
      expect(received.message.data).toEqual(read.body);
    });

    it('booking.cancelled carries the cancelled booking, after its booking.confirmed', async () => {
      const event = await createEvent(t, admin);
      const booking = await book(t, customer, event.id, 2);
      await cancelBooking(t, customer, booking.id);
      const cancelled = await receiver.first('booking.cancelled', booking.id);
      const read = await api().get(`/api/v1/bookings/${booking.id}`).set(customer.auth).expect(200);
      expect(cancelled.message.data).toEqual(read.body);
      expect(read.body.tickets.map((ticket: { status: string }) => ticket.status)).toEqual(['cancelled', 'cancelled']);
      const confirmed = await receiver.first('booking.confirmed', booking.id);
      expect(confirmed.at).toBeLessThanOrEqual(cancelled.at);
    });

    it('hold.created and hold.released carry the hold as the API returns it; its confirmation is a booking.confirmed', async () => {
      const event = await createEvent(t, admin);
      const kept = await hold(t, customer, event.id, 2);
      expect((await receiver.first('hold.created', kept.id)).message.data).toEqual(kept);
      const released = await api().delete(`/api/v1/holds/${kept.id}`).set(customer.auth).expect(200);
      expect((await receiver.first('hold.released', kept.id)).message.data).toEqual(released.body);

      const confirmedHold = await hold(t, customer, event.id, 1);
      const booking = await api().post(`/api/v1/holds/${confirmedHold.id}/confirm`).set(customer.auth).expect(201);
      expect((await receiver.first('booking.confirmed', booking.body.id)).message.data).toEqual(booking.body);
    });

    it('hold.expired carries the hold whose time ran out', async () => {
      const event = await createEvent(t, admin);
      const kept = await hold(t, customer, event.id);
      await t.db.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [kept.id]);
      const expired = await receiver.first('hold.expired', kept.id);
      const read = await api().get(`/api/v1/holds/${kept.id}`).set(customer.auth).expect(200);
      expect(expired.message.data).toEqual(read.body);
      expect(read.body.status).toBe('expired');
    });

    it('event.updated carries the event as the API returns it', async () => {
      const event = await createEvent(t, admin);
      const res = await api()
        .put(`/api/v1/events/${event.id}`)
        .set(admin.auth)
        .send({ venue: 'Main Hall' })
        .expect(200);
      expect((await receiver.first('event.updated', event.id)).message.data).toEqual(res.body);
    });

    it('cancelling an event is event.cancelled, with its bookings cancelled and holds released, one message each', async () => {
      const event = await createEvent(t, admin);
      const booking = await book(t, customer, event.id);
      const other = await registerCustomer(t);
      const kept = await hold(t, other, event.id);
      const res = await api()
        .put(`/api/v1/events/${event.id}`)
        .set(admin.auth)
        .send({ status: 'cancelled' })
        .expect(200);
      expect((await receiver.first('event.cancelled', event.id)).message.data).toEqual(res.body);
      await receiver.first('booking.cancelled', booking.id);
      await receiver.first('hold.released', kept.id);
      expect(receiver.of('event.updated').filter((r) => r.message.data.id === event.id)).toEqual([]);
    });

    it('repricing the default ticket type is event.updated, with the event at its new price', async () => {
      const event = await createEvent(t, admin, { price: '10.00' });
      const [type] = (await api().get(`/api/v1/events/${event.id}/ticket-types`).expect(200)).body;
      await api().put(`/api/v1/ticket-types/${type.id}`).set(admin.auth).send({ price: '11.00' }).expect(200);
      const updated = await receiver.first('event.updated', event.id);
      const read = await api().get(`/api/v1/events/${event.id}`).expect(200);
      expect(updated.message.data).toEqual(read.body);
      expect(read.body.price).toBe('11.00');
    });

    it('ticket.checked_in carries the used ticket', async () => {
      const event = await createEvent(t, admin);
      const booking = await book(t, customer, event.id);
      const code = booking.tickets[0].ticket_code;
      const res = await api().post(`/api/v1/tickets/${code}/check-in`).set(admin.auth).expect(200);
      expect((await receiver.first('ticket.checked_in', booking.tickets[0].id)).message.data).toEqual(res.body);
    });

    it('waitlist.offered carries the entry its freed seats were offered to, with the offer hold', async () => {
      const event = await createEvent(t, admin, { capacity: 1 });
      const booking = await book(t, customer, event.id);
      const waiter = await registerCustomer(t);
      const joined = await api()
        .post(`/api/v1/events/${event.id}/waitlist`)
        .set(waiter.auth)
        .send({ quantity: 1 })
        .expect(201);
      await cancelBooking(t, customer, booking.id);
      const offered = await receiver.first('waitlist.offered', joined.body.id);
      const read = await api().get(`/api/v1/waitlist/${joined.body.id}`).set(waiter.auth).expect(200);
      expect(offered.message.data).toEqual(read.body);
      expect((await receiver.first('hold.created', read.body.hold_id)).message.data).toMatchObject({
        user_id: waiter.user.id,
        status: 'active',
      });
    });

    it('go only to endpoints subscribed to their type', async () => {
      const other = new WebhookReceiver(await freePort());
      await other.listen();
      try {
        const doorApp = await register(other.url, ['event.cancelled']);
        const event = await createEvent(t, admin);
        const booking = await book(t, customer, event.id);
        await api().put(`/api/v1/events/${event.id}`).set(admin.auth).send({ status: 'cancelled' }).expect(200);
        await other.first('event.cancelled', event.id);
        await receiver.first('booking.cancelled', booking.id);
        expect(other.received.map((r) => r.message.type)).toEqual(['event.cancelled']);
        await api().delete(`/api/v1/webhooks/${doorApp.id}`).set(admin.auth).expect(200);
      } finally {
        await other.close();
      }
    });

    describe('of a change that rolls back', () => {
      /**
       * Runs `change` while a fault strikes at commit, after a change of bookings matching
       * `condition` and its message were written, so the whole transaction rolls back.
       */
      const faultAtCommit = async (condition: string, change: () => Promise<unknown>) => {
        await t.db.query(`
          CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'injected fault at commit'; END $$;
          CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT OR UPDATE ON bookings
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (${condition}) EXECUTE FUNCTION fail_at_commit();`);
        try {
          await change();
        } finally {
          await t.db.query('DROP TRIGGER fail_at_commit ON bookings; DROP FUNCTION fail_at_commit();');
        }
      };

      it('records no message for a booking made in one statement', async () => {
        const event = await createEvent(t, admin);
        const bookFive = () =>
          api().post('/api/v1/bookings').set(customer.auth).send({ event_id: event.id, quantity: 5 });
        await faultAtCommit(`NEW.event_id = ${event.id}`, () => bookFive().expect(500));
        expect(await t.db.query('SELECT id FROM bookings WHERE event_id = $1', [event.id])).toEqual([]);
        expect(await messagesAbout(event.id)).toBe(0);

        const booking = (await bookFive().expect(201)).body;
        await receiver.first('booking.confirmed', booking.id);
        expect(await messagesAbout(event.id)).toBe(1);
      });

      it('records no message for a cancellation made in a transaction', async () => {
        const event = await createEvent(t, admin);
        const booking = await book(t, customer, event.id, 2);
        const cancel = () =>
          api().put(`/api/v1/bookings/${booking.id}/status`).set(customer.auth).send({ status: 'cancelled' });
        await faultAtCommit(`NEW.id = ${booking.id} AND NEW.status = 'cancelled'`, () => cancel().expect(500));
        expect((await api().get(`/api/v1/bookings/${booking.id}`).set(customer.auth)).body.status).toBe('confirmed');
        expect(await messagesAbout(event.id)).toBe(1);

        await cancel().expect(200);
        await receiver.first('booking.cancelled', booking.id);
        expect(await messagesAbout(event.id)).toBe(2);
      });
    });
  });

  describe('delivery', () => {
    /** A receiver of its own on this machine, answering as `answer` says, closed after `use`. */
    const withReceiver = async (answer: (attempt: number) => number, use: (r: WebhookReceiver) => Promise<void>) => {
      const own = new WebhookReceiver(await freePort());
      own.answer = () => answer(own.received.length);
      await own.listen();
      try {
        await use(own);
      } finally {
        await own.close();
      }
    };
    /** The endpoint's delivery log once none of its deliveries is pending. */
    const settled = async (endpointId: number) => {
      for (;;) {
        const log = await deliveries(endpointId);
        if (log.length > 0 && log.every((d: { status: string }) => d.status !== 'pending')) return log;
        await sleep(50);
      }
    };
    const touch = (eventId: number, venue: string) =>
      api().put(`/api/v1/events/${eventId}`).set(admin.auth).send({ venue }).expect(200);

    it('tries a failing receiver again, each wait longer, until it takes the message as signed', async () => {
      await withReceiver(
        (attempt) => (attempt < 3 ? 503 : 200),
        async (flaky) => {
          const hook = await register(flaky.url, ['event.updated']);
          const event = await createEvent(t, admin);
          await touch(event.id, 'Annex');
          const attempts = await flaky.until((received) => received.length === 3);
          expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
          expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
          for (const attempt of attempts) expect(verify(hook.secret, attempt)).toMatchObject({ type: 'event.updated' });
          const [first, second, third] = attempts.map((a) => a.at);
          expect(second - first).toBeGreaterThanOrEqual(RETRY_BASE_MS - 10);
          expect(third - second).toBeGreaterThanOrEqual(2 * RETRY_BASE_MS - 10);
          expect(await settled(hook.id)).toEqual([
            {
              id: expect.any(Number),
              message_id: attempts[0].message.id,
              event_type: 'event.updated',
              status: 'delivered',
              attempts: 3,
              last_status_code: 200,
              last_error: null,
              next_attempt_at: null,
              created_at: expect.any(String),
              updated_at: expect.any(String),
            },
          ]);
        },
      );
    });

    it('fails a delivery after WEBHOOK_MAX_ATTEMPTS and turns its endpoint off, saying why', async () => {
      await withReceiver(
        () => 500,
        async (broken) => {
          const hook = await register(broken.url, ['event.updated']);
          const event = await createEvent(t, admin);
          await touch(event.id, 'Annex');
          const [failed] = await settled(hook.id);
          expect(failed).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, last_status_code: 500 });
          expect(broken.received).toHaveLength(MAX_ATTEMPTS);
          const read = await api().get(`/api/v1/webhooks/${hook.id}`).set(admin.auth).expect(200);
          expect(read.body).toMatchObject({ active: false, disabled_reason: expect.stringContaining('HTTP 500') });

          await touch(event.id, 'Main Hall');
          expect(await deliveries(hook.id)).toHaveLength(1);
        },
      );
    });

    it('redelivers a failed message with the same webhook-id once the endpoint is on again', async () => {
      let healthy = false;
      await withReceiver(
        () => (healthy ? 204 : 500),
        async (recovering) => {
          const hook = await register(recovering.url, ['event.updated']);
          const event = await createEvent(t, admin);
          await touch(event.id, 'Annex');
          const [failed] = await settled(hook.id);
          healthy = true;
          const on = await api().put(`/api/v1/webhooks/${hook.id}`).set(admin.auth).send({ active: true }).expect(200);
          expect(on.body).toMatchObject({ active: true, disabled_reason: null });
          const redelivery = await api()
            .post(`/api/v1/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`)
            .set(admin.auth)
            .expect(202);
          expect(redelivery.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
          const [delivered] = await settled(hook.id);
          expect(delivered).toMatchObject({ id: failed.id, status: 'delivered', attempts: 1, last_status_code: 204 });
          const ids = new Set(recovering.received.map((r) => r.headers['webhook-id']));
          expect([...ids]).toEqual([failed.message_id]);
          expect(recovering.received).toHaveLength(MAX_ATTEMPTS + 1);
        },
      );
    });

    it('refuses to redeliver a pending delivery with 409 DELIVERY_PENDING, and one of another endpoint with 404', async () => {
      const hook = await register(`http://127.0.0.1:${await freePort()}/nobody`, ['event.updated']);
      const event = await createEvent(t, admin);
      await touch(event.id, 'Annex');
      await api().put(`/api/v1/webhooks/${hook.id}`).set(admin.auth).send({ active: false }).expect(200);
      const [pending] = await deliveries(hook.id);
      expect(pending.status).toBe('pending');
      const res = await api()
        .post(`/api/v1/webhooks/${hook.id}/deliveries/${pending.id}/redeliver`)
        .set(admin.auth)
        .expect(409);
      expect(res.body.code).toBe('DELIVERY_PENDING');
      await api()
        .post(`/api/v1/webhooks/${endpoint.id}/deliveries/${pending.id}/redeliver`)
        .set(admin.auth)
        .expect(404);
    });

    it('lists the deliveries of an endpoint newest first', async () => {
      const event = await createEvent(t, admin);
      const first = await book(t, customer, event.id);
      const second = await book(t, customer, event.id);
      await receiver.first('booking.confirmed', second.id);
      const messageIds = [first, second].map(
        (b) =>
          receiver.received.find((r) => r.message.data.id === b.id && r.message.type === 'booking.confirmed')!.message
            .id,
      );
      const log = await deliveries(endpoint.id);
      const ids = log.map((d: { id: number }) => d.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const newest = log.slice(0, 2).map((d: { message_id: string }) => d.message_id);
      expect(newest).toEqual(messageIds.reverse());
    });

    it('counts messages written, delivered and failed attempts in the metrics, with the age of the oldest pending', async () => {
      const metrics = (await api().get('/metrics').expect(200)).text;
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
      expect(value('webhook_messages_total')).toBeGreaterThan(0);
      expect(value('webhook_deliveries_total')).toBeGreaterThan(0);
      expect(value('webhook_failed_attempts_total')).toBeGreaterThanOrEqual(2 * MAX_ATTEMPTS);
      expect(value('webhook_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
    });
  });
});
