import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/common/errors/error-code';
import { startServerProcess } from '../support/server-process';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';

interface Operation {
  operationId: string;
  responses: Record<string, { content?: { 'application/json': { schema: { $ref?: string } } } }>;
  security?: unknown[];
}

/** The committed openapi.json, the document SDKs are generated from (`npm run openapi` writes it). */
describe('API documentation', () => {
  let t: TestApp;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: any } };
  beforeAll(async () => {
    t = await createTestApp();
    doc = JSON.parse(readFileSync('openapi.json', 'utf8'));
  });
  afterAll(() => t.close());

  const operation = (path: string, method: string) => doc.paths[`/api/v1${path}`]?.[method];

  it('is the OpenAPI 3 document the built server serves at /docs-json', async () => {
    const server = await startServerProcess(testServerEnv());
    try {
      await server.ready;
      const served = await fetch(`${server.url}/docs-json`);
      expect(await served.json()).toEqual(doc);
    } finally {
      await server.stop();
    }
    expect(doc.openapi).toMatch(/^3\./);
  });

  it('passes Redocly lint with no errors', () => {
    const lint = spawnSync('node_modules/.bin/redocly', ['lint', 'openapi.json', '--format=stylish'], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    expect({ status: lint.status, problems: lint.stdout + lint.stderr }).toMatchObject({ status: 0 });
  });

  it('passes Spectral with the OWASP API Security ruleset with no errors and no warnings (.spectral.yaml)', () => {
    const lint = spawnSync('node_modules/.bin/spectral', ['lint', 'openapi.json', '--fail-severity=warn'], {
      encoding: 'utf8',
    });
    expect({ status: lint.status, problems: lint.stdout + lint.stderr }).toMatchObject({ status: 0 });
    expect(lint.stdout).toMatch(/No results/);
  });

  it('narrows the error code of each response to the codes its operation can send', () => {
    const ref = operation('/bookings', 'post').responses['409'].content!['application/json'].schema.$ref!;
    const schema = doc.components.schemas[ref.split('/').at(-1)!];
    expect(schema.properties.code.enum).toEqual([
      'INSUFFICIENT_TICKETS',
      'EVENT_NOT_BOOKABLE',
      'IDEMPOTENCY_KEY_REUSED',
      'PAYMENT_REQUIRED',
    ]);
    expect(schema.example.code).toBe('INSUFFICIENT_TICKETS');
  });

  it('names every operation, uniquely, for SDK method names', () => {
    const ids = Object.values(doc.paths).flatMap((operations) => Object.values(operations).map((op) => op.operationId));
    expect(ids.every((id) => /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves Swagger UI at /docs and ReDoc at /redoc', async () => {
    expect((await t.http().get('/docs').expect(200)).text).toContain('swagger-ui');
    const redoc = await t.http().get('/redoc').expect(200);
    expect(redoc.text).toContain('spec-url="/docs-json"');
  });

  it.each(['/docs', '/redoc'])('loads nothing from another origin on %s, so it works offline', async (page) => {
    const res = await t.http().get(page).expect(200);
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(res.headers['content-security-policy']).not.toMatch(/https?:/);
  });

  it("serves ReDoc's bundle from the redoc package", async () => {
    const res = await t.http().get('/redoc/redoc.standalone.js').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.text.length).toBeGreaterThan(500_000);
  });

  it.each([
    ['/users', 'post', ['201', '400', '401', '403', '409']],
    ['/users', 'get', ['200', '400', '401', '403']],
    ['/users/{id}', 'get', ['200', '400', '401', '403', '404']],
    ['/auth/login', 'post', ['200', '400', '401', '429']],
    ['/auth/me', 'get', ['200', '401']],
    ['/events', 'get', ['200', '400']],
    ['/events', 'post', ['201', '400', '401', '403']],
    ['/events/{id}', 'get', ['200', '400', '404']],
    ['/events/{id}', 'put', ['200', '400', '401', '403', '404', '409']],
    ['/events/{id}', 'delete', ['200', '400', '401', '403', '404', '409']],
    ['/bookings', 'post', ['201', '400', '401', '403', '404', '409']],
    ['/bookings/{id}', 'get', ['200', '400', '401', '403', '404']],
    ['/bookings/user/{user_id}', 'get', ['200', '400', '401', '403', '404']],
    ['/bookings/event/{event_id}', 'get', ['200', '400', '401', '403', '404']],
    ['/bookings/{id}/status', 'put', ['200', '400', '401', '403', '404', '409']],
    ['/tickets/{ticket_code}', 'get', ['200', '400', '401', '403', '404']],
    ['/tickets/{ticket_code}/check-in', 'post', ['200', '400', '401', '403', '404', '409']],
  ])('documents %s %s with its responses', (path, method, statuses) => {
    const op = operation(path, method);
    expect(op).toBeDefined();
    expect(Object.keys(op.responses).sort()).toEqual(expect.arrayContaining(statuses));
    for (const status of statuses.filter((s) => Number(s) >= 400)) {
      const ref = op.responses[status].content!['application/json'].schema.$ref!;
      const schema = doc.components.schemas[ref.split('/').at(-1)!];
      expect(schema.required).toEqual(['success', 'message', 'code']);
      expect(schema.properties.code.enum.length).toBeGreaterThan(0);
    }
  });

  it('lists every error code of the contract', () => {
    const schemas = doc.components.schemas;
    const codes = schemas.ErrorCode?.enum ?? schemas.ErrorResponseDto.properties.code.enum;
    expect(codes).toEqual(ERROR_CODES);
  });

  it.each([
    ['/bookings', 'post', 'INSUFFICIENT_TICKETS'],
    ['/bookings', 'post', 'EVENT_NOT_BOOKABLE'],
    ['/events/{id}', 'put', 'CAPACITY_BELOW_SOLD'],
    ['/events/{id}', 'put', 'INVALID_STATUS_TRANSITION'],
    ['/events/{id}', 'delete', 'EVENT_HAS_BOOKINGS'],
    ['/bookings/{id}/status', 'put', 'INVALID_STATUS_TRANSITION'],
    ['/tickets/{ticket_code}/check-in', 'post', 'TICKET_ALREADY_USED'],
    ['/tickets/{ticket_code}/check-in', 'post', 'TICKET_CANCELLED'],
    ['/users', 'post', 'PHONE_TAKEN'],
    ['/ticket-types/{id}', 'put', 'CAPACITY_BELOW_SOLD'],
    ['/ticket-types/{id}', 'delete', 'TICKET_TYPE_IN_USE'],
    ['/events/{id}/waitlist', 'post', 'TICKETS_AVAILABLE'],
    ['/events/{id}/waitlist', 'post', 'ALREADY_WAITING'],
  ])('names the code of %s %s: %s', (path, method, code) => {
    const responses = operation(path, method).responses as Record<string, { description: string }>;
    expect(Object.values(responses).some((r) => r.description.includes(code))).toBe(true);
  });

  it('describes the event, booking and ticket fields in snake_case', () => {
    const fields = (name: string) => Object.keys(doc.components.schemas[name].properties).sort();
    expect(fields('EventResponseDto')).toEqual(
      [
        'id',
        'title',
        'description',
        'venue',
        'date_time',
        'capacity',
        'price',
        'status',
        'total_tickets_sold',
        'total_tickets_held',
        'total_revenue',
        'total_bookings',
        'available_tickets',
        'created_at',
        'updated_at',
      ].sort(),
    );
    expect(fields('BookingResponseDto')).toEqual(
      [
        'id',
        'user_id',
        'event_id',
        'ticket_type_id',
        'order_id',
        'quantity',
        'total_amount',
        'booking_date',
        'status',
        'created_at',
        'updated_at',
        'tickets',
      ].sort(),
    );
    expect(fields('BookingDetailsResponseDto')).toEqual(expect.arrayContaining(['user', 'event', 'tickets']));
    expect(fields('TicketResponseDto')).toEqual(
      ['id', 'booking_id', 'ticket_code', 'status', 'created_at', 'updated_at', 'used_at'].sort(),
    );
  });

  it('describes the user fields in snake_case, without the password', () => {
    expect(Object.keys(doc.components.schemas.UserResponseDto.properties).sort()).toEqual(
      ['created_at', 'id', 'name', 'phone', 'role', 'updated_at'].sort(),
    );
  });

  it('describes request bodies with their rules', () => {
    const create = doc.components.schemas.CreateUserDto;
    expect(create.required.sort()).toEqual(['name', 'password', 'phone']);
    expect(create.properties.password).toMatchObject({ minLength: 8, maxLength: 128 });
  });

  it('marks protected operations with bearer auth, and public ones with none', () => {
    expect(operation('/auth/me', 'get').security).toEqual([{ bearer: [] }]);
    for (const [path, method] of [
      ['/auth/login', 'post'],
      ['/events', 'get'],
      ['/events/{id}', 'get'],
    ]) {
      expect(operation(path, method).security).toEqual([]);
    }
    expect(doc.paths['/health/ready'].get.security).toEqual([]);
  });

  it('marks registration, which an admin token makes an admin registration, with optional bearer auth', () => {
    expect(operation('/users', 'post').security).toEqual([{}, { bearer: [] }]);
  });

  it('marks the ticket type list, which shows an admin the hidden types, with optional bearer auth', () => {
    expect(operation('/events/{id}/ticket-types', 'get').security).toEqual([{}, { bearer: [] }]);
  });

  it('documents the X-Total-Count header of list endpoints', () => {
    const ok = operation('/users', 'get').responses['200'] as { headers?: Record<string, unknown> };
    expect(ok.headers).toHaveProperty('X-Total-Count');
  });
});
