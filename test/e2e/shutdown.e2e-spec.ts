import { Client } from 'pg';
import request from 'supertest';
import { checkedFetch } from '../support/contract';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { eventually } from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

describe('Graceful shutdown on SIGTERM', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  let server: ServerProcess;
  beforeAll(async () => {
    t = await createTestApp();
    server = await startServerProcess(testServerEnv());
    await server.ready;
  });
  afterAll(async () => {
    server.process.kill('SIGKILL');
    await t.close();
  });

  it('stops accepting, answers the booking in flight, then exits 0', async () => {
    const viaServer = { http: () => request(server.url) } as TestApp;
    const admin: Caller = await createAdmin({ ...viaServer, db: t.db });
    const customer = await registerCustomer(viaServer);
    const event = await createEvent(viaServer, admin);
    const holder = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM events WHERE id = $1 FOR UPDATE', [event.id]);

    const inFlight = checkedFetch(`${server.url}/api/v1/bookings`, {
      method: 'POST',
      headers: { ...customer.auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ event_id: event.id, quantity: 1 }),
    });
    await eventually(
      'the booking to wait for the event lock',
      () => waitingForLocks(holder),
      (n) => n > 0,
    );
    server.process.kill('SIGTERM');
    await eventually(
      'the server to refuse connections',
      () => refuses(server.url),
      (refused) => refused,
    );

    await holder.query('ROLLBACK');
    await holder.end();
    expect((await inFlight).status).toBe(201);
    expect(await server.exited).toBe(0);
  });
});

/** Whether the server refuses a new connection. */
function refuses(url: string): Promise<boolean> {
  return checkedFetch(`${url}/health/live`, { headers: { Connection: 'close' } }).then(
    () => false,
    () => true,
  );
}

/** How many other sessions of the test database wait for a lock. */
async function waitingForLocks(client: Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
  );
  return rows[0].n;
}

describe('Draining on SIGTERM, for a load balancer to stop sending traffic', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  const status = (server: ServerProcess, path: string) => checkedFetch(`${server.url}${path}`).then((r) => r.status);

  it('answers /health/ready 503 during SHUTDOWN_DRAIN_MS while serving every other request', async () => {
    const server = await startServerProcess(testServerEnv({ SHUTDOWN_DRAIN_MS: '300000' }));
    await server.ready;
    expect(await status(server, '/health/ready')).toBe(200);
    server.process.kill('SIGTERM');
    try {
      await eventually(
        'readiness to fail',
        () => status(server, '/health/ready'),
        (s) => s !== 200,
      );
      expect(await status(server, '/health/ready')).toBe(503);
      expect(await status(server, '/health/live')).toBe(200);
      expect(await status(server, '/api/v1/events')).toBe(200);
    } finally {
      server.process.kill('SIGKILL');
    }
  });

  it('closes the listener and exits 0 once the drain is over', async () => {
    const server = await startServerProcess(testServerEnv({ SHUTDOWN_DRAIN_MS: '200' }));
    await server.ready;
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM: not ready from now on; serving for 200 ms more/);
  });
});
