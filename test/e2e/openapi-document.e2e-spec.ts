import { readFileSync } from 'node:fs';
import { withDataSource } from '../../src/database/database';
import { TAGS } from '../../src/docs/openapi';
import { seed } from '../../seeds/seed';
import { SAMPLE_PASSWORDS, SAMPLE_USERS } from '../../seeds/sample-data';
import { ContractValidator } from '../support/contract';
import { createScratchDatabase, ScratchDatabase } from '../support/scratch-database';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { testServerEnv } from '../support/test-app';

type Schema = Record<string, any>;
interface Operation {
  tags: string[];
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema; examples?: Record<string, { value: object }> } } };
  responses: Record<
    string,
    { headers?: Record<string, { schema: Schema }>; content?: Record<string, { schema: Schema }> }
  >;
}

const doc = JSON.parse(readFileSync('openapi.json', 'utf8')) as {
  info: { version: string; contact?: { name?: string; url?: string; email?: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const operations = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
  Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation, name: `${method} ${path}` })),
);
const withBodies = operations.filter(({ operation }) => operation.requestBody);
const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(doc.components.schemas[(schema.$ref as string).split('/').at(-1)!]) : schema;

/** Marks a part of a schema with no example of its own, where a page would make one up. */
const MISSING = 'missing example';

/**
 * The example a documentation page shows for `schema`, composed as Swagger UI and ReDoc compose
 * it: the schema's own example, else its enum's first value, else the examples of its parts.
 * Booleans and timestamps need none (any is realistic); any other part without one is MISSING.
 */
function exampleOf(schema: Schema): unknown {
  if (schema.$ref) return exampleOf(resolve(schema));
  if ('example' in schema) return schema.example;
  if (schema.allOf?.length === 1) return exampleOf(schema.allOf[0]);
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'array') return [exampleOf(schema.items)];
  if (schema.properties) {
    return Object.fromEntries(
      Object.entries(schema.properties as Record<string, Schema>).map(([k, s]) => [k, exampleOf(s)]),
    );
  }
  if (schema.type === 'boolean') return true;
  if (schema.format === 'date-time') return '2026-12-03T09:30:00.000Z';
  return MISSING;
}

/** The OpenAPI document as a frontend developer reads it in Swagger UI or ReDoc. */
describe('The OpenAPI document, read by a person', () => {
  const contract = new ContractValidator();

  it("states the API's semantic version, the package's, and whom to contact", () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(doc.info.version).toBe(version);
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.info.contact).toEqual({ name: expect.any(String), url: expect.any(String), email: expect.any(String) });
  });

  it('declares every tag an operation uses, each with a one-line description, in the order the docs list them', () => {
    const used = new Set(operations.flatMap(({ operation }) => operation.tags));
    expect(doc.tags.map((tag) => tag.name)).toEqual(TAGS.map(([name]) => name));
    expect([...used].filter((name) => !doc.tags.some((tag) => tag.name === name))).toEqual([]);
    for (const tag of doc.tags) expect(tag.description).toMatch(/^[^\n]{10,120}$/);
  });

  it.each(operations.map((o) => [o.name, o.operation]))(
    '%s has a short summary for the sidebar and a description for the page',
    (_, operation) => {
      expect(operation.summary).toMatch(/^[A-Z][^.\n]{2,38}$/);
      expect(operation.description!.length).toBeGreaterThan(operation.summary!.length + 20);
    },
  );

  it('says in every description who may call the operation', () => {
    const who =
      /^(Public|Admin only|Any signed-in user|Its owner only|Its owner or an admin|That user or an admin|The user themself or an admin)\b/;
    expect(operations.filter(({ operation }) => !who.test(operation.description ?? '')).map((o) => o.name)).toEqual([]);
  });

  it.each(withBodies.map((o) => [o.name, o.operation]))(
    '%s has request examples, each valid against the body schema',
    (_, operation) => {
      const { schema, examples } = operation.requestBody!.content['application/json'];
      expect(Object.keys(examples ?? {}).length).toBeGreaterThan(0);
      for (const { value } of Object.values(examples!)) expect(contract.problem(schema, value)).toBeUndefined();
    },
  );

  it("fills in a customer's booking and hold with no user_id, which only an admin may send", () => {
    for (const path of ['/api/v1/bookings', '/api/v1/holds']) {
      const [first] = Object.values(doc.paths[path].post.requestBody!.content['application/json'].examples!);
      expect(first.value).toEqual({ event_id: 1, quantity: 2 });
    }
  });

  it('gives every path parameter an example a reader can send', () => {
    const missing = operations.flatMap(({ name, operation }) =>
      (operation.parameters ?? [])
        .filter((p) => p.in === 'path' && p.schema?.example === undefined)
        .map((p) => `${name} ${p.name}`),
    );
    expect(missing).toEqual([]);
  });

  const successes = operations.flatMap(({ name, operation }) =>
    Object.entries(operation.responses)
      .filter(([status, response]) => status.startsWith('2') && response.content?.['application/json'])
      .map(([status, response]) => [`${name} → ${status}`, response.content!['application/json'].schema] as const),
  );

  it.each(successes)('%s shows an example made of examples, valid against its schema', (_, schema) => {
    const example = exampleOf(schema);
    expect(JSON.stringify(example)).not.toContain(MISSING);
    expect(contract.problem(schema, example)).toBeUndefined();
  });

  it('shows a new hold as a 201 answers it: active, without a booking yet', () => {
    const created = doc.paths['/api/v1/holds'].post.responses['201'].content!['application/json'].schema;
    expect(exampleOf(created)).toMatchObject({ status: 'active', booking_id: null });
  });

  it.each(['CreateWebhookDto', 'WebhookResponseDto'])('gives the URL of %s the uri format', (name) => {
    expect(doc.components.schemas[name].properties.url.format).toBe('uri');
  });

  it.each([
    ['CreateUserDto', 'phone'],
    ['LoginDto', 'phone'],
    ['UserResponseDto', 'phone'],
  ])('gives %s.%s its pattern', (name, field) => {
    expect(doc.components.schemas[name].properties[field].pattern).toBe('^\\+?[0-9]{9,15}$');
  });

  it.each(['CreateEventDto', 'CreateTicketTypeDto'])(
    'gives the price of %s, sent as a string, its decimal pattern',
    (name) => {
      const [text] = doc.components.schemas[name].properties.price.oneOf as Schema[];
      expect(new RegExp(text.pattern as string).test('1500.00')).toBe(true);
      expect(new RegExp(text.pattern as string).test('15.001')).toBe(false);
    },
  );

  it('gives every Location header the uri-reference format', () => {
    const locations = operations.flatMap(({ operation }) =>
      Object.values(operation.responses).flatMap((response) => response.headers?.Location ?? []),
    );
    expect(locations.length).toBeGreaterThan(5);
    expect(locations.filter((header) => header.schema.format !== 'uri-reference')).toEqual([]);
  });
});

/**
 * "Try it out" sends each operation's first request example, as the caller its description names,
 * to an API holding the sample data (`npm start`'s): what a reader sends should work.
 */
describe("The document's request examples, sent as they are to an API with the sample data", () => {
  jest.setTimeout(60_000);
  let scratch: ScratchDatabase;
  let server: ServerProcess;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await withDataSource(scratch.url, async (db) => {
      await db.runMigrations();
      await seed(db);
    });
    server = await startServerProcess(testServerEnv({ DATABASE_URL: scratch.url, RATE_LIMIT_ENABLED: 'false' }));
    await server.ready;
    const login = async (phone: string, password: string) => {
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ phone, password }),
      });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    tokens.admin = await login(SAMPLE_USERS[0].phone, SAMPLE_PASSWORDS.admin);
    tokens.customer = await login(SAMPLE_USERS[1].phone, SAMPLE_PASSWORDS.customer);
  });
  afterAll(async () => {
    await server?.stop();
    await scratch?.drop();
  });

  /** Who the description says may call: no one in particular, an admin, or a customer (the sample one). */
  const callerOf = (operation: Operation) =>
    operation.description!.startsWith('Public')
      ? undefined
      : operation.description!.startsWith('Admin only')
        ? tokens.admin
        : tokens.customer;

  /**
   * Joining a waiting list is for sold-out events, and the sample data has none; Stripe's
   * callbacks are for an API with a payment provider, and this server has none.
   */
  const REFUSED_ON_SAMPLE_DATA: Record<string, string> = {
    'post /api/v1/events/{id}/waitlist': 'TICKETS_AVAILABLE',
    'post /api/v1/payments/stripe/webhook': 'NOT_FOUND',
  };

  it.each(withBodies.map((o) => [o.name, o.path, o.method, o.operation]))(
    '%s answers its first example with a 2xx',
    async (name, path, method, operation) => {
      const [{ value }] = Object.values(operation.requestBody!.content['application/json'].examples!);
      const url = path.replace(/\{(\w+)\}/g, (_, param: string) =>
        String(operation.parameters!.find((p) => p.name === param)!.schema!.example),
      );
      const token = callerOf(operation);
      const res = await fetch(`${server.url}${url}`, {
        method: method.toUpperCase(),
        headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
        body: JSON.stringify(value),
      });
      const body = (await res.json()) as { code?: string };
      if (REFUSED_ON_SAMPLE_DATA[name]) expect(body.code).toBe(REFUSED_ON_SAMPLE_DATA[name]);
      else expect({ status: res.status < 300 ? '2xx' : res.status, body }).toMatchObject({ status: '2xx' });
    },
  );
});
