import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTicketingClient, Event, TicketingClient } from '../../sdk';
import { checkSdkResponses } from '../support/contract';
import { Caller, createAdmin, makeEventInput, makeUserInput } from '../support/factories';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

const bin = (name: string) => join('node_modules', '.bin', name);

describe('The TypeScript SDK generated from openapi.json', () => {
  it('is what `npm run sdk` generates from the committed document', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ticketing-sdk-')), 'schema.d.ts');
    execFileSync(bin('openapi-typescript'), ['openapi.json', '--output', out], { stdio: 'pipe' });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync('sdk/schema.d.ts', 'utf8'));
  });

  it('compiles under strict TypeScript', () => {
    const tsc = spawnSync(bin('tsc'), ['-p', 'sdk/tsconfig.json'], { encoding: 'utf8' });
    expect({ status: tsc.status, errors: tsc.stdout }).toEqual({ status: 0, errors: '' });
  });
});

/** sdk/ as a package a frontend installs: packed by npm, installed from the tarball, compiled strictly. */
describe('The SDK package', () => {
  jest.setTimeout(180_000);
  const manifest = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { version: string; name: string };

  it("has the API's version, as package.json and the document's info.version say it", () => {
    const api = manifest('package.json').version;
    expect(manifest('sdk/package.json').version).toBe(api);
    expect((JSON.parse(readFileSync('openapi.json', 'utf8')) as { info: { version: string } }).info.version).toBe(api);
  });

  it("names every schema of the document, but the errors narrowed to an operation's codes", () => {
    const { components } = JSON.parse(readFileSync('openapi.json', 'utf8')) as { components: { schemas: object } };
    const named = [...readFileSync('sdk/index.ts', 'utf8').matchAll(/Schemas\['(\w+)'\]/g)].map(([, name]) => name);
    const narrowed = (name: string) => name.endsWith('Error');
    expect(Object.keys(components.schemas).filter((name) => !narrowed(name) && !named.includes(name))).toEqual([]);
  });

  it('installs from its npm pack tarball into a project of its own, where it compiles under tsc --strict and runs', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ticketing-sdk-consumer-'));
    const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: 'pipe' });
    const tarball = npm(['pack', '--silent', '--pack-destination', scratch], 'sdk').trim().split('\n').at(-1)!;
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const typescript = `typescript@${(manifest('node_modules/typescript/package.json') as { version: string }).version}`;
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, tarball), typescript], scratch);
    writeFileSync(
      join(scratch, 'app.ts'),
      `import { createTicketingClient, type ApiError, type Hold, type WaitlistEntry, type Webhook } from '${manifest('sdk/package.json').name}';

export async function holdTwo(baseUrl: string, token: string): Promise<Hold | ApiError | undefined> {
  const client = createTicketingClient(baseUrl, token);
  const { data, error } = await client.POST('/api/v1/holds', { body: { event_id: 1, quantity: 2 } });
  return data ?? error;
}
export const waiting = (entry: WaitlistEntry): boolean => entry.status === 'waiting';
export const events = (webhook: Webhook): string[] => webhook.events;
`,
    );
    const tsc = spawnSync(
      join(scratch, 'node_modules', '.bin', 'tsc'),
      [
        '--strict',
        '--noEmit',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--lib',
        'es2023,dom',
        'app.ts',
      ],
      { cwd: scratch, encoding: 'utf8' },
    );
    expect({ status: tsc.status, errors: tsc.stdout }).toEqual({ status: 0, errors: '' });
    const run = spawnSync(
      process.execPath,
      ['-e', `process.stdout.write(typeof require('@ticketing/sdk').createTicketingClient)`],
      {
        cwd: scratch,
        encoding: 'utf8',
      },
    );
    expect(run.stdout).toBe('function');
    rmSync(scratch, { recursive: true, force: true });
  });
});

/** A customer's whole journey through the SDK, against the built server on a real port. */
describe('A journey through the SDK against the running API', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  let server: ServerProcess;
  let admin: Caller;
  let anonymous: TicketingClient;
  /** An SDK client of the server whose responses are checked against openapi.json like the test app's. */
  const client = (token?: string) => {
    const sdk = createTicketingClient(server.url, token);
    sdk.use(checkSdkResponses);
    return sdk;
  };

  beforeAll(async () => {
    t = await createTestApp();
    server = await startServerProcess(testServerEnv());
    await server.ready;
    admin = await createAdmin(t);
    anonymous = client();
  });
  afterAll(async () => {
    await server?.stop();
    await t.close();
  });

  it('registers, logs in, finds an event, books, reads its tickets and cancels', async () => {
    const { data: event } = await client(admin.token).POST('/api/v1/events', {
      body: makeEventInput({ title: 'SDK Night', capacity: 5, price: '12.50' }),
    });
    const input = makeUserInput();
    const { data: user, response } = await anonymous.POST('/api/v1/users', { body: input });
    expect(response.status).toBe(201);

    const { data: session } = await anonymous.POST('/api/v1/auth/login', {
      body: { phone: input.phone, password: input.password },
    });
    expect(session!.user).toEqual(user);
    const customer = client(session!.access_token);

    const listed: Event[] = [];
    for (let total = Infinity; listed.length < total;) {
      const { data: page, response } = await customer.GET('/api/v1/events', {
        params: { query: { limit: 100, offset: listed.length } },
      });
      listed.push(...page!);
      total = Number(response.headers.get('X-Total-Count'));
    }
    expect(listed.map((e) => e.id)).toContain(event!.id);

    const { data: booking } = await customer.POST('/api/v1/bookings', { body: { event_id: event!.id, quantity: 2 } });
    expect(booking).toMatchObject({ user_id: user!.id, quantity: 2, total_amount: '25.00', status: 'confirmed' });

    for (const { ticket_code } of booking!.tickets) {
      const { data: ticket } = await customer.GET('/api/v1/tickets/{ticket_code}', {
        params: { path: { ticket_code } },
      });
      expect(ticket).toMatchObject({ booking_id: booking!.id, status: 'active' });
    }

    const { data: mine } = await customer.GET('/api/v1/bookings/user/{user_id}', {
      params: { path: { user_id: user!.id } },
    });
    expect(mine!.map((b) => b.id)).toEqual([booking!.id]);

    const { data: cancelled } = await customer.PUT('/api/v1/bookings/{id}/status', {
      params: { path: { id: booking!.id } },
      body: { status: 'cancelled' },
    });
    expect(cancelled!.tickets.map((ticket) => ticket.status)).toEqual(['cancelled', 'cancelled']);

    const { data: after } = await anonymous.GET('/api/v1/events/{id}', { params: { path: { id: event!.id } } });
    expect(after).toMatchObject({ available_tickets: 5, total_tickets_sold: 0, total_revenue: '0.00' });
  });

  it('holds seats, reads the hold, confirms it into a booking and confirms again', async () => {
    const { data: event } = await client(admin.token).POST('/api/v1/events', {
      body: makeEventInput({ capacity: 3, price: '7.00' }),
    });
    const buyer = client(admin.token);
    const { data: hold, response } = await buyer.POST('/api/v1/holds', { body: { event_id: event!.id, quantity: 2 } });
    expect(response.status).toBe(201);
    expect(hold).toMatchObject({ quantity: 2, total_amount: '14.00', status: 'active', booking_id: null });

    const { data: read } = await buyer.GET('/api/v1/holds/{id}', { params: { path: { id: hold!.id } } });
    expect(read).toEqual(hold);

    const confirm = () => buyer.POST('/api/v1/holds/{id}/confirm', { params: { path: { id: hold!.id } } });
    const first = await confirm();
    expect(first.response.status).toBe(201);
    expect(first.data!.tickets).toHaveLength(2);
    const again = await confirm();
    expect(again.response.status).toBe(200);
    expect(again.data).toEqual(first.data);

    const { error } = await buyer.DELETE('/api/v1/holds/{id}', { params: { path: { id: hold!.id } } });
    expect(error).toMatchObject({ code: 'HOLD_NOT_ACTIVE' });
  });

  it('adds a ticket type, lists it beside the default, books it, reprices and deletes what it may', async () => {
    const operator = client(admin.token);
    const { data: event } = await operator.POST('/api/v1/events', {
      body: makeEventInput({ title: 'SDK Types', capacity: 10, price: '10.00' }),
    });
    const path = { params: { path: { id: event!.id } } };
    const { data: vip } = await operator.POST('/api/v1/events/{id}/ticket-types', {
      ...path,
      body: { name: 'VIP', price: '40.00', quota: 2 },
    });
    const { data: types } = await anonymous.GET('/api/v1/events/{id}/ticket-types', path);
    expect(types!.map((type) => [type.name, type.is_default])).toEqual([
      ['General admission', true],
      ['VIP', false],
    ]);

    const { data: booking } = await operator.POST('/api/v1/bookings', {
      body: { event_id: event!.id, ticket_type_id: vip!.id, quantity: 2 },
    });
    expect(booking).toMatchObject({ ticket_type_id: vip!.id, total_amount: '80.00' });

    const { data: repriced } = await operator.PUT('/api/v1/ticket-types/{id}', {
      params: { path: { id: types![0].id } },
      body: { price: '12.00' },
    });
    expect(repriced).toMatchObject({ price: '12.00', available_tickets: 8 });
    const { error } = await operator.DELETE('/api/v1/ticket-types/{id}', { params: { path: { id: vip!.id } } });
    expect(error?.code).toBe('TICKET_TYPE_IN_USE');
  });

  it('waits on a sold-out event, gets an offer when a seat comes back, and confirms it', async () => {
    const operator = client(admin.token);
    const { data: event } = await operator.POST('/api/v1/events', {
      body: makeEventInput({ title: 'SDK Queue', capacity: 1, price: '5.00' }),
    });
    const { data: booking } = await operator.POST('/api/v1/bookings', { body: { event_id: event!.id, quantity: 1 } });
    const input = makeUserInput();
    await anonymous.POST('/api/v1/users', { body: input });
    const { data: session } = await anonymous.POST('/api/v1/auth/login', {
      body: { phone: input.phone, password: input.password },
    });
    const waiter = client(session!.access_token);
    const { data: entry } = await waiter.POST('/api/v1/events/{id}/waitlist', {
      params: { path: { id: event!.id } },
      body: { quantity: 1 },
    });
    expect(entry).toMatchObject({ status: 'waiting', position: 1 });

    await operator.PUT('/api/v1/bookings/{id}/status', {
      params: { path: { id: booking!.id } },
      body: { status: 'cancelled' },
    });
    const { data: offered } = await waiter.GET('/api/v1/waitlist/{id}', { params: { path: { id: entry!.id } } });
    expect(offered!.status).toBe('offered');
    const { response } = await waiter.POST('/api/v1/holds/{id}/confirm', {
      params: { path: { id: offered!.hold_id! } },
    });
    expect(response.status).toBe(201);
    const { data: mine } = await waiter.GET('/api/v1/waitlist/user/{user_id}', {
      params: { path: { user_id: session!.user.id } },
    });
    expect(mine!.map((e) => e.status)).toEqual(['fulfilled']);
  });

  it('registers a webhook endpoint, keeps its secret, reads its delivery log, turns it off and deletes it', async () => {
    const operator = client(admin.token);
    const { data: created, response } = await operator.POST('/api/v1/webhooks', {
      body: { url: 'https://shop.example.com/hooks', events: ['event.cancelled'] },
    });
    expect(response.status).toBe(201);
    expect(created!.secret).toMatch(/^whsec_/);
    const path = { params: { path: { id: created!.id } } };
    const { data: log } = await operator.GET('/api/v1/webhooks/{id}/deliveries', path);
    expect(log).toEqual([]);
    const { data: off } = await operator.PUT('/api/v1/webhooks/{id}', { ...path, body: { active: false } });
    expect(off).toMatchObject({ active: false, events: ['event.cancelled'] });
    expect(off).not.toHaveProperty('secret');
    const { response: deleted } = await operator.DELETE('/api/v1/webhooks/{id}', path);
    expect(deleted.status).toBe(200);
  });

  it('gives a refused call the contract error body, typed', async () => {
    const { data: event } = await client(admin.token).POST('/api/v1/events', {
      body: makeEventInput({ capacity: 1 }),
    });
    const { data, error, response } = await client(admin.token).POST('/api/v1/bookings', {
      body: { event_id: event!.id, quantity: 2 },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(409);
    expect(error).toMatchObject({ success: false, code: 'INSUFFICIENT_TICKETS' });
    // Checked when this file compiles: the SDK narrows `code` to what createBooking can send.
    type Code = NonNullable<typeof error>['code'];
    const booking: Extract<Code, 'INSUFFICIENT_TICKETS' | 'IDEMPOTENCY_KEY_REUSED'> = 'INSUFFICIENT_TICKETS';
    const notBooking: Extract<Code, 'PHONE_TAKEN' | 'TICKET_CANCELLED'> extends never ? true : false = true;
    expect([booking, notBooking]).toEqual(['INSUFFICIENT_TICKETS', true]);
  });
});
