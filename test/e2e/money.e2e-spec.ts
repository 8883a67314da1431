import { eventsWithWrongCounters } from '../support/counters';
import { book, Caller, createAdmin, createEvent, registerCustomer, cancelBooking } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

const MAX_QUANTITY = 10;

/** Cents as a BigInt, independent of the code under test. */
const cents = (amount: string) => BigInt(amount.replace('.', ''));
const money = (value: bigint) => `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;

describe('Money', () => {
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  beforeAll(async () => {
    t = await createTestApp({ BOOKING_MAX_QUANTITY: String(MAX_QUANTITY) });
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(() => t.close());

  const quantities = Array.from({ length: MAX_QUANTITY }, (_, i) => i + 1);

  it.each(['0.10', '19.99', '99999999.99', '0.01', '1200.50'])(
    'charges exactly price × quantity at %s for every allowed quantity',
    async (price) => {
      const event = await createEvent(t, admin, { price, capacity: 100 });
      for (const quantity of quantities) {
        const booking = await book(t, customer, event.id, quantity);
        expect(booking.total_amount).toBe(money(cents(price) * BigInt(quantity)));
      }
      const { body } = await t.http().get(`/api/v1/events/${event.id}`);
      expect(body.total_revenue).toBe(money(cents(price) * 55n));
    },
  );

  it('keeps revenue exact to the cent through many bookings and cancellations', async () => {
    const event = await createEvent(t, admin, { price: '19.99', capacity: 1000 });
    let expected = 0n;
    for (let i = 0; i < 60; i++) {
      const quantity = ((i * 7) % MAX_QUANTITY) + 1;
      const booking = await book(t, customer, event.id, quantity);
      expected += cents(booking.total_amount);
      if (i % 3 === 0) {
        await cancelBooking(t, customer, booking.id);
        expected -= cents(booking.total_amount);
      }
    }
    const { body } = await t.http().get(`/api/v1/events/${event.id}`);
    expect(body.total_revenue).toBe(money(expected));
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it('keeps revenue exact under concurrent bookings and cancellations', async () => {
    const event = await createEvent(t, admin, { price: '0.10', capacity: 1000 });
    const bookings = await Promise.all(
      quantities.flatMap((q) => [book(t, customer, event.id, q), book(t, customer, event.id, q)]),
    );
    await Promise.all(
      bookings
        .filter((_, i) => i % 2 === 0)
        .map((b) => t.http().put(`/api/v1/bookings/${b.id}/status`).set(customer.auth).send({ status: 'cancelled' })),
    );
    const { body } = await t.http().get(`/api/v1/events/${event.id}`);
    expect(body.total_revenue).toBe('5.50');
    expect(await eventsWithWrongCounters(t.db, [event.id])).toEqual([]);
  });

  it('sends prices and amounts as strings with two decimals', async () => {
    const event = await createEvent(t, admin, { price: 7 });
    const booking = await book(t, customer, event.id, 3);
    expect([event.price, booking.total_amount, event.total_revenue]).toEqual(['7.00', '21.00', '0.00']);
  });
});
