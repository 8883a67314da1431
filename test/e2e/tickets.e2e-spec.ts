import { TicketCodeGenerator } from '../../src/modules/tickets/ticket-code';
import { book, Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('Tickets', () => {
  let t: TestApp;
  let admin: Caller;
  let customer: Caller;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
  });
  afterAll(() => t.close());

  const newTicket = async (quantity = 1) => {
    const booking = await book(t, customer, (await createEvent(t, admin)).id, quantity);
    return booking.tickets[0];
  };
  const checkIn = (code: string, caller: Caller = admin) =>
    t.http().post(`/api/v1/tickets/${code}/check-in`).set(caller.auth);

  describe('GET /tickets/:ticket_code', () => {
    it("shows the booking's owner the ticket", async () => {
      const ticket = await newTicket();
      const { body } = await t.http().get(`/api/v1/tickets/${ticket.ticket_code}`).set(customer.auth).expect(200);
      expect(body).toEqual(ticket);
    });

    it('refuses another customer with 403 and shows an admin', async () => {
      const ticket = await newTicket();
      const other = await registerCustomer(t);
      await t.http().get(`/api/v1/tickets/${ticket.ticket_code}`).set(other.auth).expect(403);
      await t.http().get(`/api/v1/tickets/${ticket.ticket_code}`).set(admin.auth).expect(200);
    });

    it('answers 404 for a well-formed code that does not exist', async () => {
      const { body } = await t.http().get('/api/v1/tickets/TKT-20990101-AAAAAAAA').set(admin.auth).expect(404);
      expect(body.code).toBe('NOT_FOUND');
    });

    it.each(['TKT-2099-AAAA', 'tkt-20990101-aaaaaaaa', 'TKT-20990101-AAAAAAA!', '1'])(
      'answers 400 VALIDATION_FAILED for the malformed code %s',
      async (code) => {
        const { body } = await t
          .http()
          .get(`/api/v1/tickets/${encodeURIComponent(code)}`)
          .set(admin.auth)
          .expect(400);
        expect(body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'ticket_code' }] });
      },
    );
  });

  describe('POST /tickets/:ticket_code/check-in', () => {
    it('marks an active ticket used, with the time', async () => {
      const ticket = await newTicket();
      const before = Date.now();
      const { body } = await checkIn(ticket.ticket_code).expect(200);
      expect(body).toMatchObject({ id: ticket.id, status: 'used' });
      expect(new Date(body.used_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    });

    it('refuses a second check-in with 409 TICKET_ALREADY_USED', async () => {
      const ticket = await newTicket();
      await checkIn(ticket.ticket_code).expect(200);
      const { body } = await checkIn(ticket.ticket_code).expect(409);
      expect(body.code).toBe('TICKET_ALREADY_USED');
    });

    it('checks a ticket in exactly once under 20 concurrent check-ins', async () => {
      const ticket = await newTicket();
      const responses = await Promise.all(Array.from({ length: 20 }, () => checkIn(ticket.ticket_code)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(19);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'TICKET_ALREADY_USED')).toBe(true);
    });

    it('refuses a cancelled ticket with 409 TICKET_CANCELLED', async () => {
      const booking = await book(t, customer, (await createEvent(t, admin)).id);
      await t.http().put(`/api/v1/bookings/${booking.id}/status`).set(customer.auth).send({ status: 'cancelled' });
      const { body } = await checkIn(booking.tickets[0].ticket_code).expect(409);
      expect(body.code).toBe('TICKET_CANCELLED');
    });

    it('never leaves a used ticket in a cancelled booking when check-in and cancellation race', async () => {
      for (let round = 0; round < 10; round++) {
        const booking = await book(t, customer, (await createEvent(t, admin)).id, 2);
        const [checkedIn, cancelled] = await Promise.all([
          checkIn(booking.tickets[0].ticket_code),
          t.http().put(`/api/v1/bookings/${booking.id}/status`).set(customer.auth).send({ status: 'cancelled' }),
        ]);
        const after = (await t.http().get(`/api/v1/bookings/${booking.id}`).set(customer.auth)).body;
        if (checkedIn.status === 200) {
          expect(cancelled.status).toBe(409);
          expect(after.status).toBe('confirmed');
        } else {
          expect(checkedIn.body.code).toBe('TICKET_CANCELLED');
          expect(after.tickets.every((ticket: { status: string }) => ticket.status === 'cancelled')).toBe(true);
        }
      }
    });

    it('is for admins only', async () => {
      const ticket = await newTicket();
      await checkIn(ticket.ticket_code, customer).expect(403);
      await t.http().post(`/api/v1/tickets/${ticket.ticket_code}/check-in`).expect(401);
    });

    it('answers 404 for an unknown code', async () => {
      await checkIn('TKT-20990101-ZZZZZZZZ').expect(404);
    });
  });

  describe('ticket codes', () => {
    it('are unique across many bookings', async () => {
      const event = await createEvent(t, admin, { capacity: 500 });
      const bookings = await Promise.all(Array.from({ length: 40 }, () => book(t, customer, event.id, 10)));
      const codes = bookings.flatMap((b) => b.tickets.map((ticket: { ticket_code: string }) => ticket.ticket_code));
      expect(new Set(codes).size).toBe(400);
    });
  });
});

describe('A ticket code collision', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('is retried with a new code and never surfaces', async () => {
    const real = new TicketCodeGenerator();
    const queued: string[] = [];
    const firstQueuedThenRandom = { suffix: () => queued.shift() ?? real.suffix() };
    t = await createTestApp({}, (module) =>
      module.overrideProvider(TicketCodeGenerator).useValue(firstQueuedThenRandom),
    );
    const admin = await createAdmin(t);
    const event = await createEvent(t, admin);
    const taken = (await book(t, admin, event.id, 1)).tickets[0].ticket_code;
    queued.push(taken.slice(-8));
    const booking = await book(t, admin, event.id, 1);
    expect(queued).toEqual([]);
    expect(booking.tickets).toHaveLength(1);
    expect(booking.tickets[0].ticket_code).not.toBe(taken);
  });
});
