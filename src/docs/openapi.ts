import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { existsSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { dirname, join } from 'node:path';
import { ErrorResponseDto, FieldErrorDto } from '../common/errors/error-response.dto';
import { ERROR_MESSAGE, errorResponses } from '../common/http/api-errors.decorator';
import { MAX_INT } from '../common/http/integer.decorator';

/** Every tag an operation uses, in the order the docs list them, each with one line on what it groups. */
export const TAGS: [string, string][] = [
  ['auth', 'Log in for a bearer token; the caller behind a token.'],
  ['users', 'Registration and profiles.'],
  ['events', 'Events with their live seat counters; public to read, admin to change.'],
  ['ticket types', 'Prices and quotas within an event: General admission, VIP, Student.'],
  ['bookings', 'Buying tickets without ever overselling, and cancelling them.'],
  ['holds', 'Seats kept for a buyer while they pay, confirmed into a booking or let go.'],
  ['orders', 'One checkout of several ticket types: held together, paid once, refunded as a whole.'],
  ['promo codes', 'Discounts on some or all ticket types, and the way to buy a hidden type (admin).'],
  ['payments', 'Callbacks of the payment provider (Stripe), which pay and refund orders.'],
  ['waiting list', 'Queues for sold-out events: freed seats are offered in order of arrival.'],
  ['tickets', 'Ticket codes and check-in at the door.'],
  ['webhooks', 'Signed notifications of bookings, holds, events and tickets, sent to your endpoints (admin).'],
  ['health', 'Probes for orchestrators and load balancers, outside /api/v1.'],
];

/** The API's semantic version: that of the nearest package.json above this file (sources, build or image). */
function apiVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  throw new Error(`no package.json above ${__dirname}`);
}

/** Headers a response may carry: the rate limits' (not on the probes, which are not limited) and CORS. */
const HEADERS = {
  'X-RateLimit-Limit': 'Requests allowed per window from this address, when rate limits are on.',
  'X-RateLimit-Remaining': 'Requests left in the window.',
  'X-RateLimit-Reset': 'Seconds until the window ends.',
  'Access-Control-Allow-Origin':
    'The calling browser origin, when CORS_ORIGINS (or, in development, localhost) allows it.',
};

/**
 * The OpenAPI document of the API, as served at /docs-json and committed as openapi.json.
 * Each operation is named after its handler (`createBooking`): the name generated SDKs expose.
 * Every route can answer a malformed request (bad JSON, a NUL character, HTTP framing), one too
 * slow to arrive, a body or headers over the limit, too many requests, or a database that does
 * not answer, so those responses are documented once for all.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Ticketing API')
    .setDescription(
      'Sells tickets for events without ever overselling them. ' +
        'Every non-2xx response has the body `{ success: false, message, code, errors? }`.',
    )
    .setVersion(apiVersion())
    .setContact('Ticketing API maintainers', 'https://ticketing.example/support', 'api@ticketing.example')
    .addServer('/', 'The server that serves this document: local, staging or production alike')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'An HS256 JWT from POST /api/v1/auth/login, checked as RFC8725 advises: the algorithm is fixed, ' +
        '`exp` and `iat` are required, `sub` must name an existing user.',
    })
    .addGlobalResponse(
      ...errorResponses(
        'VALIDATION_FAILED',
        'REQUEST_TIMEOUT',
        'PAYLOAD_TOO_LARGE',
        'HEADERS_TOO_LARGE',
        'RATE_LIMITED',
        'INTERNAL',
        'SERVICE_UNAVAILABLE',
      ),
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controller, handler) => handler,
    extraModels: [ErrorResponseDto, FieldErrorDto],
  });
  document.servers = document.servers?.map((server) => ({ ...server, 'x-internal': false }));
  document.components!.schemas![ERROR_MESSAGE.name] = ERROR_MESSAGE.schema;
  describeResponses(document);
  stateNoSecurity(document);
  nameErrorSchemas(document);
  boundScalars(document);
  return document;
}

/** Every response described, with the rate limit and CORS headers it may carry. */
function describeResponses(document: OpenAPIObject): void {
  document.components!.headers = Object.fromEntries(
    Object.entries(HEADERS).map(([name, description]) => [
      name,
      {
        description,
        schema: name.startsWith('X-') ? { type: 'integer' } : { type: 'string', format: 'uri', maxLength: 2048 },
      },
    ]),
  );
  const header = (name: string): [string, { $ref: string }] => [name, { $ref: `#/components/headers/${name}` }];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [status, response] of responsesOf(operations)) {
      if (!response.description) response.description = STATUS_CODES[status] ?? status;
      const limited = !path.startsWith('/health') && /^[24]/.test(status);
      const names = Object.keys(HEADERS).filter((name) => limited || !name.startsWith('X-RateLimit'));
      response.headers = { ...Object.fromEntries(names.map(header)), ...(response.headers as object | undefined) };
    }
  }
}

/** A public operation says it needs no token (`security: []`), so no client sends one. */
function stateNoSecurity(document: OpenAPIObject): void {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, OperationObject>)) operation.security ??= [];
  }
}

/**
 * Each error body narrowed to its codes (see errorResponses) becomes one named schema, shared by
 * every response with the same codes: `NotFoundError`, `ForbiddenOrNotFoundError`.
 */
function nameErrorSchemas(document: OpenAPIObject): void {
  for (const operations of Object.values(document.paths)) {
    for (const [, response] of responsesOf(operations)) {
      const content = response.content?.['application/json'];
      const codes = (content?.schema as { properties?: { code?: { enum?: string[] } } } | undefined)?.properties?.code
        ?.enum;
      if (!content || !codes) continue;
      const name = `${codes.map(pascalCase).join('Or')}Error`;
      document.components!.schemas![name] = content.schema!;
      content.schema = { $ref: `#/components/schemas/${name}` };
    }
  }
}

/** `EVENT_NOT_BOOKABLE` → `EventNotBookable`. */
function pascalCase(code: string): string {
  return code
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
}

function responsesOf(operations: object): [string, ResponseObject][] {
  return Object.values(operations).flatMap((operation: OperationObject) =>
    Object.entries(operation.responses as Record<string, ResponseObject>),
  );
}

/**
 * Bounds what every schema of a kind shares: an integer is a PostgreSQL `integer` (int32, 0 to
 * 2147483647 unless narrower), a date-time an ISO 8601 string of at most 32 characters.
 */
function boundScalars(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(boundScalars);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (schema.type === 'integer') {
    schema.format ??= 'int32';
    schema.minimum ??= 0;
    schema.maximum ??= MAX_INT;
  }
  if (schema.type === 'string' && schema.format === 'date-time') schema.maxLength ??= 32;
  Object.values(schema).forEach(boundScalars);
}
