import { once } from 'node:events';
import { connect } from 'node:net';
import request from 'supertest';
import { Caller, createAdmin, createEvent, login, makeUserInput } from '../support/factories';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { eventually } from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

/** Waits for the server's log line that holds `text`, and returns it. */
async function loggedLine(server: ServerProcess, text: string): Promise<string> {
  const find = () =>
    server
      .output()
      .split('\n')
      .find((line) => line.includes(text));
  return (await eventually(`a log line with ${text}`, find, (line) => line !== undefined))!;
}

describe('Structured logs', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  let server: ServerProcess;
  let customer: Caller;
  let password: string;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    t = await createTestApp();
    server = await startServerProcess(testServerEnv({ LOG_LEVEL: 'info' }));
    await server.ready;
    const viaServer = { http: () => request(server.url), db: t.db } as TestApp;
    const input = makeUserInput();
    password = input.password;
    await viaServer.http().post('/api/v1/users').send(input).expect(201);
    customer = await login(viaServer, input.phone, input.password);
    await viaServer
      .http()
      .post('/api/v1/auth/login')
      .send({ phone: input.phone, password: 'wrong-password' })
      .expect(401);
    const event = await createEvent(viaServer, await createAdmin(viaServer));
    await viaServer
      .http()
      .post('/api/v1/bookings')
      .set(customer.auth)
      .set('X-Request-Id', 'trace-me-42')
      .send({ event_id: event.id, quantity: 1 })
      .expect(201);
    await loggedLine(server, 'trace-me-42');
    lines = server
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  });
  afterAll(async () => {
    await server.stop();
    await t.close();
  });

  const requestLines = () => lines.filter((line) => line.req !== undefined);

  it('writes every line as JSON, with level and time', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number) });
  });

  it('logs each request with its id, method, path, status and duration', () => {
    expect(requestLines()).toContainEqual(
      expect.objectContaining({
        request_id: 'trace-me-42',
        req: { method: 'POST', path: '/api/v1/bookings' },
        res: { status: 201 },
        responseTime: expect.any(Number),
      }),
    );
  });

  it('gives a request without X-Request-Id a generated one', () => {
    const ids = requestLines().map((line) => line.request_id);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never logs a password, a token or a phone number', () => {
    const output = server.output();
    expect(output).not.toContain(password);
    expect(output).not.toContain(customer.token);
    expect(output).not.toContain(customer.user.phone);
    expect(output).not.toContain('wrong-password');
  });

  it('logs a request its client abandoned as aborted, with its id', async () => {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    // The server answers 100 Continue once it has the request's headers: then the client gives up.
    socket.write(
      'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nX-Request-Id: abandoned-7\r\nExpect: 100-continue\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n',
    );
    await once(socket, 'data');
    socket.end('{"name":');
    socket.destroy();
    expect(JSON.parse(await loggedLine(server, 'abandoned-7'))).toMatchObject({
      request_id: 'abandoned-7',
      msg: 'request aborted',
    });
  });

  it('logs health probes and metrics scrapes at debug, so not at info', async () => {
    for (const path of ['/health/live', '/health/ready', '/metrics']) await request(server.url).get(path).expect(200);
    await request(server.url).get('/api/v1/events').set('X-Request-Id', 'after-probes').expect(200);
    await loggedLine(server, 'after-probes');
    expect(server.output()).not.toMatch(/"path":"(\/health\/live|\/health\/ready|\/metrics)"/);
  });

  it('returns the request id in X-Request-Id, the caller’s when well-formed', async () => {
    const given = await request(server.url).get('/api/v1/events').set('X-Request-Id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const malformed = await request(server.url).get('/api/v1/events').set('X-Request-Id', 'a b"c').expect(200);
    expect(malformed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
