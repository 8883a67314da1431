import { Client } from 'pg';
import request from 'supertest';
import { checkedFetch } from '../support/contract';
import { Caller, createAdmin, createEvent, registerCustomer } from '../support/factories';
import { ServerProcess, startServerProcess } from '../support/server-process';
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
    await new Promise((done) => setTimeout(done, 300));
    server.process.kill('SIGTERM');
    await expect(waitUntilRefused(server.url)).resolves.toBe(true);

    await holder.query('ROLLBACK');
    await holder.end();
    expect((await inFlight).status).toBe(201);
    expect(await server.exited).toBe(0);
  });
});

/** Polls until the server refuses new connections; false if it still accepts after 5 s. */
async function waitUntilRefused(url: string): Promise<boolean> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
    try {
      await checkedFetch(`${url}/health/live`, { headers: { Connection: 'close' } });
    } catch {
      return true;
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return false;
}
