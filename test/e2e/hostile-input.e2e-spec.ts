import { connect } from 'node:net';
import { DataSource } from 'typeorm';
import { ErrorCode } from '../../src/common/errors/error-code';
import { withDataSource } from '../../src/database/database';
import { checkedFetch } from '../support/contract';
import {
  book,
  Caller,
  createAdmin,
  createEvent,
  makeEventInput,
  makeUserInput,
  registerCustomer,
} from '../support/factories';
import { createScratchDatabase, ScratchDatabase } from '../support/scratch-database';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { eventually } from '../support/storm';
import { createTestApp, TestApp, testServerEnv } from '../support/test-app';
import { forgeToken, nowSeconds } from '../support/tokens';

/** JSON text sent as it is, for what JSON.stringify cannot write (duplicate or prototype keys, huge numbers). */
class Raw {
  constructor(readonly text: string) {}
}

interface Fixture {
  customer: Caller;
  admin: Caller;
  eventId: number;
  bookingId: number;
  ticketCode: string;
  /** The default ticket type of another event. */
  otherTicketTypeId: number;
}

interface HostileRequest {
  /** What the request tries. */
  tries: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string | ((f: Fixture) => string);
  /** Sent with this caller's token; `authorization` sends a header of its own instead. */
  as?: 'customer' | 'admin';
  authorization?: (f: Fixture) => string;
  body?: object | Raw | ((f: Fixture) => object);
  status: number;
  code: ErrorCode;
  /** The field the first listed error names. */
  field?: string;
  message?: RegExp;
}

const NUL = '\u0000';
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const event = (f: Fixture) => `/api/v1/events/${f.eventId}`;
const bad = (tries: string, request: Omit<HostileRequest, 'tries' | 'status' | 'code'>): HostileRequest => ({
  tries,
  status: 400,
  code: 'VALIDATION_FAILED',
  ...request,
});
const withClaims = (claims: (f: Fixture) => object) => (f: Fixture) => `Bearer ${forgeToken(claims(f))}`;
const refusedToken = (tries: string, authorization: (f: Fixture) => string, path = '/api/v1/auth/me') => ({
  tries,
  method: 'GET' as const,
  path,
  authorization,
  status: 401,
  code: 'UNAUTHORIZED' as const,
});
const fresh = () => ({ iat: nowSeconds(), exp: nowSeconds() + 600 });

const HOSTILE: HostileRequest[] = [
  // NUL characters, which PostgreSQL refuses in text
  bad('a NUL in a registration name', {
    method: 'POST',
    path: '/api/v1/users',
    body: makeUserInput({ name: `a${NUL}b` }),
    field: 'name',
  }),
  bad('a NUL in a login phone', {
    method: 'POST',
    path: '/api/v1/auth/login',
    body: { phone: `08${NUL}1`, password: 'x' },
    field: 'phone',
  }),
  bad('a NUL in an event title', {
    method: 'POST',
    path: '/api/v1/events',
    as: 'admin',
    body: makeEventInput({ title: `a${NUL}` }),
    field: 'title',
  }),
  bad('a NUL in an event venue', {
    method: 'POST',
    path: '/api/v1/events',
    as: 'admin',
    body: makeEventInput({ venue: `a${NUL}` }),
    field: 'venue',
  }),
  bad('a NUL in an event description', {
    method: 'PUT',
    path: event,
    as: 'admin',
    body: { description: `a${NUL}` },
    field: 'description',
  }),
  bad('a NUL in a field name', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: { [`event_id${NUL}`]: 1 },
    field: 'body',
  }),
  bad('a NUL in a query value', { method: 'GET', path: '/api/v1/events?status=active%00', field: 'status' }),
  bad('a NUL in a query a route does not read', {
    method: 'GET',
    path: (f) => `/api/v1/tickets/${f.ticketCode}?x=%00`,
    as: 'customer',
    field: 'x',
  }),
  bad('a NUL in a probe query', { method: 'GET', path: '/health/live?probe=%00', field: 'probe' }),

  bad('a __proto__ key in a check-in', {
    method: 'POST',
    path: (f) => `/api/v1/tickets/${f.ticketCode}/check-in`,
    as: 'admin',
    body: new Raw('{"__proto__":{"status":"used"}}'),
    field: '__proto__',
  }),
  bad('a ticket code with a NUL', {
    method: 'GET',
    path: '/api/v1/tickets/TKT-20261225-%00',
    as: 'customer',
    field: 'ticket_code',
  }),

  // Numbers past what their columns hold
  bad('an offset past bigint', { method: 'GET', path: '/api/v1/events?offset=1e20', field: 'offset' }),
  bad('an offset past integer', {
    method: 'GET',
    path: '/api/v1/events?offset=2147483648',
    field: 'offset',
    message: /not be greater than 2147483647/,
  }),
  bad('a huge offset on the user list', {
    method: 'GET',
    path: '/api/v1/users?offset=1e20',
    as: 'admin',
    field: 'offset',
  }),
  bad("a huge offset on a user's bookings", {
    method: 'GET',
    path: (f) => `/api/v1/bookings/user/${f.customer.user.id}?offset=99999999999`,
    as: 'customer',
    field: 'offset',
  }),
  bad("a huge limit on an event's bookings", {
    method: 'GET',
    path: (f) => `/api/v1/bookings/event/${f.eventId}?limit=1e20`,
    as: 'admin',
    field: 'limit',
  }),
  bad('an event id past integer', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: { event_id: 2147483648, quantity: 1 },
    field: 'event_id',
  }),
  bad('an event id past exact doubles', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: new Raw('{"event_id":9007199254740993,"quantity":1}'),
    field: 'event_id',
  }),
  bad('an event id of 1e308', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: new Raw('{"event_id":1e308,"quantity":1}'),
    field: 'event_id',
  }),
  bad('a quantity of 1e308', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: new Raw('{"event_id":1,"quantity":1e308}'),
    field: 'quantity',
  }),
  bad('a user id past integer (admin)', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'admin',
    body: { user_id: 2147483648, event_id: 1, quantity: 1 },
    field: 'user_id',
  }),
  bad('an event id past integer on a hold', {
    method: 'POST',
    path: '/api/v1/holds',
    as: 'customer',
    body: { event_id: 2147483648, quantity: 1 },
    field: 'event_id',
  }),
  bad('a quantity of 1e308 on a hold', {
    method: 'POST',
    path: '/api/v1/holds',
    as: 'customer',
    body: new Raw('{"event_id":1,"quantity":1e308}'),
    field: 'quantity',
  }),
  bad('a null user id on a hold', {
    method: 'POST',
    path: '/api/v1/holds',
    as: 'customer',
    body: { user_id: null, event_id: 1, quantity: 1 },
    field: 'user_id',
  }),
  bad('10,000 nested arrays in a hold', {
    method: 'POST',
    path: '/api/v1/holds',
    as: 'customer',
    body: new Raw(`{"event_id":${nested(10_000)}}`),
    field: 'event_id',
  }),
  bad('a hold id of eleven digits', { method: 'GET', path: '/api/v1/holds/99999999999', as: 'customer', field: 'id' }),
  bad('a confirmation of a hold id past integer', {
    method: 'POST',
    path: '/api/v1/holds/2147483648/confirm',
    as: 'customer',
    field: 'id',
  }),
  bad('a release of a hold id in hexadecimal', {
    method: 'DELETE',
    path: '/api/v1/holds/0x10',
    as: 'customer',
    field: 'id',
  }),
  bad('a ticket type id past integer on a booking', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: { event_id: 1, ticket_type_id: 2147483648, quantity: 1 },
    field: 'ticket_type_id',
  }),
  bad('a null ticket type id on a hold', {
    method: 'POST',
    path: '/api/v1/holds',
    as: 'customer',
    body: { event_id: 1, ticket_type_id: null, quantity: 1 },
    field: 'ticket_type_id',
  }),
  bad('a ticket type id as a string', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: { event_id: 1, ticket_type_id: '1', quantity: 1 },
    field: 'ticket_type_id',
  }),
  bad("another event's ticket type", {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: (f: Fixture) => ({ event_id: f.eventId, ticket_type_id: f.otherTicketTypeId, quantity: 1 }),
    field: 'ticket_type_id',
  }),
  bad('order lines that are not an array', {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: { event_id: 1, lines: { quantity: 1 } },
    field: 'lines',
  }),
  bad('an order of 1,000 lines', {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: { event_id: 1, lines: Array.from({ length: 1000 }, () => ({ quantity: 1 })) },
    field: 'lines',
  }),
  bad('an order line quantity of 1e308', {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: new Raw('{"event_id":1,"lines":[{"quantity":1e308}]}'),
  }),
  bad('an order line ticket type id past integer', {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: { event_id: 1, lines: [{ ticket_type_id: 2147483648, quantity: 1 }] },
  }),
  bad('an order line that is not an object', {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: { event_id: 1, lines: [1] },
  }),
  bad("an order line of another event's ticket type", {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: (f: Fixture) => ({ event_id: f.eventId, lines: [{ ticket_type_id: f.otherTicketTypeId, quantity: 1 }] }),
    field: 'ticket_type_id',
  }),
  bad('a confirmation of an order id past integer', {
    method: 'POST',
    path: '/api/v1/orders/2147483648/confirm',
    as: 'customer',
    field: 'id',
  }),
  bad('a cancellation of an order id in hexadecimal', {
    method: 'POST',
    path: '/api/v1/orders/0x10/cancel',
    as: 'customer',
    field: 'id',
  }),
  bad('a payment of an order id past integer', {
    method: 'POST',
    path: '/api/v1/orders/2147483648/payment',
    as: 'customer',
    field: 'id',
  }),
  bad('a Stripe callback whose body nests past the depth limit', {
    method: 'POST',
    path: '/api/v1/payments/stripe/webhook',
    body: new Raw(`{"id":"evt_1","data":${'{"object":'.repeat(40)}{}${'}'.repeat(40)}}`),
  }),
  bad('an order promo code with SQL in it', {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: (f: Fixture) => ({ event_id: f.eventId, lines: [{ quantity: 1 }], promo_code: "X' OR '1'='1" }),
    field: 'promo_code',
  }),
  bad('an order promo code that is an array', {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: (f: Fixture) => ({ event_id: f.eventId, lines: [{ quantity: 1 }], promo_code: ['SPRING10', 'SUMMER10'] }),
    field: 'promo_code',
  }),
  bad('an order promo code of 10,000 characters', {
    method: 'POST',
    path: '/api/v1/orders',
    as: 'customer',
    body: (f: Fixture) => ({ event_id: f.eventId, lines: [{ quantity: 1 }], promo_code: 'A'.repeat(10_000) }),
    field: 'promo_code',
  }),
  bad('a promo code with a NUL in it', {
    method: 'POST',
    path: (f) => `${event(f)}/promo-codes`,
    as: 'admin',
    body: { code: `SPRING${NUL}10`, discount_type: 'percent', discount_value: 10 },
    field: 'code',
  }),
  bad('a promo code discount of 1e308', {
    method: 'POST',
    path: (f) => `${event(f)}/promo-codes`,
    as: 'admin',
    body: new Raw('{"code":"HUGEONE1","discount_type":"amount","discount_value":1e308}'),
    field: 'discount_value',
  }),
  bad('a promo code for ticket types that are not integers', {
    method: 'POST',
    path: (f) => `${event(f)}/promo-codes`,
    as: 'admin',
    body: { code: 'TYPES123', discount_type: 'percent', discount_value: 10, ticket_type_ids: ['1', 2.5, null] },
    field: 'ticket_type_ids',
  }),
  bad('a promo code for 10,000 ticket types', {
    method: 'POST',
    path: (f) => `${event(f)}/promo-codes`,
    as: 'admin',
    body: {
      code: 'MANYTYPES',
      discount_type: 'percent',
      discount_value: 10,
      ticket_type_ids: Array.from({ length: 10_000 }, (_, i) => i + 1),
    },
    field: 'ticket_type_ids',
  }),
  bad('a promo code valid from a date that is not one', {
    method: 'POST',
    path: (f) => `${event(f)}/promo-codes`,
    as: 'admin',
    body: { code: 'BADDATE1', discount_type: 'percent', discount_value: 10, valid_from: '2027-02-30T00:00:00Z' },
    field: 'valid_from',
  }),
  bad('a promo code update of max_uses past integer', {
    method: 'PUT',
    path: '/api/v1/promo-codes/1',
    as: 'admin',
    body: { max_uses: 2147483648 },
    field: 'max_uses',
  }),
  bad('a promo code id past integer', {
    method: 'DELETE',
    path: '/api/v1/promo-codes/2147483648',
    as: 'admin',
    field: 'id',
  }),
  bad("an unknown status on an event's orders", {
    method: 'GET',
    path: (f) => `${event(f)}/orders?status=paid%00`,
    as: 'admin',
    field: 'status',
  }),
  bad('a ticket type price of 1e308', {
    method: 'POST',
    path: (f) => `${event(f)}/ticket-types`,
    as: 'admin',
    body: { name: 'VIP', price: 1e308 },
    field: 'price',
  }),
  bad('a ticket type quota past a million', {
    method: 'POST',
    path: (f) => `${event(f)}/ticket-types`,
    as: 'admin',
    body: { name: 'VIP', price: '1.00', quota: 1_000_001 },
    field: 'quota',
  }),
  bad('a ticket type name of NUL characters', {
    method: 'POST',
    path: (f) => `${event(f)}/ticket-types`,
    as: 'admin',
    body: { name: NUL.repeat(3), price: '1.00' },
  }),
  bad('a null ticket type name', {
    method: 'PUT',
    path: '/api/v1/ticket-types/1',
    as: 'admin',
    body: { name: null },
    field: 'name',
  }),
  bad('a ticket type id in hexadecimal', {
    method: 'DELETE',
    path: '/api/v1/ticket-types/0x10',
    as: 'admin',
    field: 'id',
  }),
  bad('ticket types of an event id past integer', {
    method: 'GET',
    path: '/api/v1/events/2147483648/ticket-types',
    field: 'id',
  }),
  bad('a waiting-list quantity of 1e308', {
    method: 'POST',
    path: (f) => `${event(f)}/waitlist`,
    as: 'customer',
    body: new Raw('{"quantity":1e308}'),
    field: 'quantity',
  }),
  bad('a null ticket type id on a waiting list', {
    method: 'POST',
    path: (f) => `${event(f)}/waitlist`,
    as: 'customer',
    body: { quantity: 1, ticket_type_id: null },
    field: 'ticket_type_id',
  }),
  bad('a waiting-list entry id past integer', {
    method: 'DELETE',
    path: '/api/v1/waitlist/2147483648',
    as: 'customer',
    field: 'id',
  }),
  bad("a user's waiting list by a user id in hexadecimal", {
    method: 'GET',
    path: '/api/v1/waitlist/user/0x10',
    as: 'customer',
    field: 'user_id',
  }),
  bad('webhook event types as one string', {
    method: 'POST',
    path: '/api/v1/webhooks',
    as: 'admin',
    body: { url: 'https://shop.example.com/hooks', events: 'booking.confirmed' },
    field: 'events',
  }),
  bad('a webhook URL that is a number', {
    method: 'POST',
    path: '/api/v1/webhooks',
    as: 'admin',
    body: { url: 42, events: ['booking.confirmed'] },
    field: 'url',
  }),
  bad('a webhook URL with a line break inside', {
    method: 'POST',
    path: '/api/v1/webhooks',
    as: 'admin',
    body: { url: 'http://127.0.0.1:4000/hooks\r\nX-Injected: 1', events: ['booking.confirmed'] },
    field: 'url',
  }),
  bad('null webhook event types', {
    method: 'PUT',
    path: '/api/v1/webhooks/1',
    as: 'admin',
    body: { events: null },
    field: 'events',
  }),
  bad('a null webhook URL', {
    method: 'PUT',
    path: '/api/v1/webhooks/1',
    as: 'admin',
    body: { url: null },
    field: 'url',
  }),
  bad('a webhook turned on by null', {
    method: 'PUT',
    path: '/api/v1/webhooks/1',
    as: 'admin',
    body: { active: null },
    field: 'active',
  }),
  bad('a webhook turned on by a string', {
    method: 'PUT',
    path: '/api/v1/webhooks/1',
    as: 'admin',
    body: { active: 'yes' },
    field: 'active',
  }),
  bad('a webhook delivery log by an id past integer', {
    method: 'GET',
    path: '/api/v1/webhooks/2147483648/deliveries',
    as: 'admin',
    field: 'id',
  }),
  bad('a redelivery of a delivery id in hexadecimal', {
    method: 'POST',
    path: '/api/v1/webhooks/1/deliveries/0x10/redeliver',
    as: 'admin',
    field: 'delivery_id',
  }),
  bad('a capacity of 1e308', {
    method: 'POST',
    path: '/api/v1/events',
    as: 'admin',
    body: makeEventInput({ capacity: 1e308 }),
    field: 'capacity',
  }),
  bad('a capacity past integer on update', {
    method: 'PUT',
    path: event,
    as: 'admin',
    body: { capacity: 2147483648 },
    field: 'capacity',
  }),
  bad('a path id past integer', { method: 'GET', path: '/api/v1/events/2147483648', field: 'id' }),
  bad('a path id of eleven digits', {
    method: 'GET',
    path: '/api/v1/bookings/99999999999',
    as: 'customer',
    field: 'id',
  }),

  // Nesting that would overflow the stack of validation
  bad('10,000 nested arrays in a registration', {
    method: 'POST',
    path: '/api/v1/users',
    body: new Raw(`{"name":${nested(10_000)}}`),
    field: 'name',
  }),
  bad('10,000 nested arrays in a booking', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: new Raw(`{"event_id":${nested(10_000)}}`),
    field: 'event_id',
  }),
  bad('10,000 nested arrays in an event update', {
    method: 'PUT',
    path: event,
    as: 'admin',
    body: new Raw(`{"title":${nested(10_000)}}`),
    field: 'title',
  }),
  bad('10,000 nested arrays in a login', {
    method: 'POST',
    path: '/api/v1/auth/login',
    body: new Raw(`{"phone":${nested(10_000)}}`),
    field: 'phone',
  }),
  bad('1,000 nested arrays', {
    method: 'POST',
    path: '/api/v1/users',
    body: new Raw(`{"name":${nested(1000)}}`),
    field: 'name',
  }),

  // Null for a field that cannot be null
  ...(
    [
      ['title', /^title must be a string$/],
      ['venue', /^venue must be a string$/],
      ['price', /^price must be an amount/],
      ['capacity', /^capacity must be an integer$/],
      ['date_time', /^date_time must be an ISO 8601 date-time/],
      ['status', /^status must be one of/],
    ] as const
  ).map(([field, message]) =>
    bad(`a null ${field} on update`, {
      method: 'PUT',
      path: event,
      as: 'admin',
      body: { [field]: null },
      field,
      message,
    }),
  ),
  bad('a null status on create', {
    method: 'POST',
    path: '/api/v1/events',
    as: 'admin',
    body: makeEventInput({ status: null }),
    field: 'status',
  }),
  bad('a null user id on a booking', {
    method: 'POST',
    path: '/api/v1/bookings',
    as: 'customer',
    body: { user_id: null, event_id: 1, quantity: 1 },
    field: 'user_id',
  }),
  bad('a null role on registration', {
    method: 'POST',
    path: '/api/v1/users',
    body: makeUserInput({ role: null }),
    field: 'role',
  }),
  bad('a null booking status', {
    method: 'PUT',
    path: (f) => `/api/v1/bookings/${f.bookingId}/status`,
    as: 'customer',
    body: { status: null },
    field: 'status',
  }),
  bad('a null password on login', {
    method: 'POST',
    path: '/api/v1/auth/login',
    body: { phone: '0800000000', password: null },
    field: 'password',
  }),

  // Query numbers that are not plain decimal integers
  ...['0x10', '1e1', '%2B10', '10.0', 'abc', ''].map((limit) =>
    bad(`limit=${limit}`, {
      method: 'GET',
      path: `/api/v1/events?limit=${limit}`,
      field: 'limit',
      message: /^limit must be an integer written in decimal digits$/,
    }),
  ),
  bad('offset=0x10', { method: 'GET', path: '/api/v1/events?offset=0x10', field: 'offset' }),
  bad('limit given twice', {
    method: 'GET',
    path: '/api/v1/events?limit=1&limit=2',
    field: 'limit',
    message: /^limit must be given once$/,
  }),
  bad('a negative offset', {
    method: 'GET',
    path: '/api/v1/events?offset=-1',
    field: 'offset',
    message: /^offset must not be less than 0$/,
  }),

  // Prototype keys, which would otherwise be dropped without a word
  bad('a __proto__ key in a registration', {
    method: 'POST',
    path: '/api/v1/users',
    body: new Raw('{"__proto__":{"role":"admin"},"name":"Eve","phone":"0811111119","password":"password1"}'),
    field: '__proto__',
  }),
  bad('a constructor key in a registration', {
    method: 'POST',
    path: '/api/v1/users',
    body: { ...makeUserInput(), constructor: { name: 'x' } },
    field: 'constructor',
  }),
  bad('a nested __proto__ key in an event', {
    method: 'POST',
    path: '/api/v1/events',
    as: 'admin',
    body: new Raw('{"title":{"__proto__":{}}}'),
    field: 'title.__proto__',
  }),
  bad('a prototype key in a login', {
    method: 'POST',
    path: '/api/v1/auth/login',
    body: { phone: '0800000000', password: 'x', prototype: 1 },
    field: 'prototype',
  }),
  bad('a __proto__ key setting a booking status', {
    method: 'PUT',
    path: (f) => `/api/v1/bookings/${f.bookingId}/status`,
    as: 'customer',
    body: new Raw('{"__proto__":{"status":"cancelled"}}'),
    field: '__proto__',
  }),

  // Bodies made to amplify the error response
  bad('33,000 empty objects in an array body', {
    method: 'POST',
    path: '/api/v1/users',
    body: new Raw(`[${Array(33_000).fill('{}').join(',')}]`),
    field: 'body',
  }),
  bad('33,000 empty objects in a field', {
    method: 'POST',
    path: '/api/v1/users',
    body: { ...makeUserInput(), name: Array(33_000).fill({}) },
    field: 'name',
  }),
  bad('10,000 unknown fields', {
    method: 'POST',
    path: '/api/v1/users',
    body: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 1])),
    field: 'k0',
    message: /and 10000 more \(10003 errors\)$/,
  }),

  // Tokens signed with the right secret but claims the API never issues
  ...(
    [
      ['abc', 'a sub that is not a number'],
      [1.5, 'a fractional sub'],
      [2147483648, 'a sub past integer'],
      [null, 'a null sub'],
      [[1], 'an array sub'],
    ] as const
  ).map(([sub, tries]) =>
    refusedToken(
      tries,
      withClaims(() => ({ sub, ...fresh() })),
    ),
  ),
  refusedToken(
    'a token without sub',
    withClaims(() => fresh()),
  ),
  refusedToken(
    "a user's id as a string",
    withClaims((f) => ({ sub: String(f.customer.user.id), ...fresh() })),
  ),
  refusedToken(
    'a token without exp',
    withClaims((f) => ({ sub: f.customer.user.id, iat: nowSeconds() })),
  ),
  refusedToken(
    'a token without iat',
    withClaims((f) => ({ sub: f.customer.user.id, exp: nowSeconds() + 600 })),
  ),
  refusedToken(
    'a token issued an hour from now',
    withClaims((f) => ({ sub: f.customer.user.id, iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 })),
  ),
  refusedToken(
    'a bad sub on a public route',
    withClaims(() => ({ sub: 'abc', ...fresh() })),
    '/api/v1/events',
  ),
  refusedToken('words after the token', (f) => `Bearer ${f.customer.token} junk`),
  refusedToken('two spaces before the token', (f) => `Bearer  ${f.customer.token}`),
  refusedToken('a lower-case scheme', (f) => `bearer ${f.customer.token}`),
];

/** Counts and a digest of every table a request could write. */
function snapshot(db: DataSource): Promise<unknown> {
  const table = (name: string) =>
    `SELECT '${name}' AS t, count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest FROM ${name} x`;
  return db.query(
    [
      'users',
      'events',
      'ticket_types',
      'bookings',
      'tickets',
      'holds',
      'orders',
      'refunds',
      'payments',
      'promo_codes',
      'provider_events',
      'installation',
      'waitlist_entries',
      'idempotency_keys',
      'webhook_endpoints',
      'webhook_messages',
      'webhook_deliveries',
    ]
      .map(table)
      .join(' UNION ALL '),
  );
}

const LEAKS = /at \w+ \(|\.[jt]s:\d+|SELECT|INSERT|UPDATE |QueryFailed|Exception|node_modules|stack/;

function headersFor(request: HostileRequest, f: Fixture): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (request.as) headers.Authorization = f[request.as].auth.Authorization;
  if (request.authorization) headers.Authorization = request.authorization(f);
  return headers;
}

const pathOf = (request: HostileRequest, f: Fixture) =>
  typeof request.path === 'string' ? request.path : request.path(f);
const textOf = (body: HostileRequest['body'], f: Fixture) =>
  body instanceof Raw ? body.text : JSON.stringify(typeof body === 'function' ? body(f) : body);

describe('Hostile input', () => {
  let scratch: ScratchDatabase;
  let t: TestApp;
  let f: Fixture;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await withDataSource(scratch.url, (db) => db.runMigrations());
    t = await createTestApp({ DATABASE_URL: scratch.url });
    const [customer, admin] = await Promise.all([registerCustomer(t), createAdmin(t)]);
    const { id: eventId } = await createEvent(t, admin);
    const booking = await book(t, customer, eventId);
    const { id: otherEventId } = await createEvent(t, admin);
    const { body: otherTypes } = await t.http().get(`/api/v1/events/${otherEventId}/ticket-types`).expect(200);
    f = {
      customer,
      admin,
      eventId,
      bookingId: booking.id,
      ticketCode: booking.tickets[0].ticket_code,
      otherTicketTypeId: otherTypes[0].id,
    };
  });
  afterAll(async () => {
    await t?.close();
    await scratch?.drop();
  });

  it.each(HOSTILE.map((request) => [request.tries, request] as const))(
    'refuses %s with a 4xx in the error format, changing nothing',
    async (_, request) => {
      const before = await snapshot(t.db);
      const verb = ({ GET: 'get', POST: 'post', PUT: 'put', DELETE: 'delete' } as const)[request.method];
      const req = t.http()[verb](pathOf(request, f));
      const res = await req
        .set(headersFor(request, f))
        .send(request.body === undefined ? undefined : textOf(request.body, f));

      expect({ status: res.status, code: res.body.code }).toEqual({ status: request.status, code: request.code });
      if (request.field !== undefined) expect(res.body.errors[0].field).toBe(request.field);
      if (request.message) expect(res.body.message).toMatch(request.message);
      expect(res.body.errors?.length ?? 0).toBeLessThanOrEqual(20);
      expect(res.text.length).toBeLessThan(4096);
      expect(res.text).not.toMatch(LEAKS);
      expect(await snapshot(t.db)).toEqual(before);
    },
  );

  describe('against a server process', () => {
    jest.setTimeout(60_000);
    let server: ServerProcess;
    beforeAll(async () => {
      server = await startServerProcess(testServerEnv({ DATABASE_URL: scratch.url, RATE_LIMIT_ENABLED: 'false' }));
      await server.ready;
    });
    afterAll(() => server?.stop());

    it('answers none of these requests with a 5xx, and logs no error', async () => {
      const statuses = [];
      for (const request of HOSTILE) {
        const res = await checkedFetch(`${server.url}${pathOf(request, f)}`, {
          method: request.method,
          headers: headersFor(request, f),
          body: request.body === undefined ? undefined : textOf(request.body, f),
        });
        statuses.push(`${res.status} ${request.tries}`);
      }
      expect(statuses).toEqual(HOSTILE.map((request) => `${request.status} ${request.tries}`));
      expect(server.output()).not.toMatch(/"level":50/);
    });
  });
});

/** Writes `chunks` to the server one `gapMs` apart; resolves with everything it answered once it closes. */
function rawExchange(url: string, chunks: string[], gapMs = 0): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    let answer = '';
    const write = async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        await new Promise((wait) => setTimeout(wait, gapMs));
      }
    };
    const socket = connect(Number(port), hostname, () => void write());
    socket.on('data', (data) => (answer += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => done(answer));
  });
}

/** The status line and the error body of a raw HTTP answer. */
function parseAnswer(answer: string) {
  const [head, body] = answer.split('\r\n\r\n');
  return {
    statusLine: head.split('\r\n')[0],
    contentType: /content-type: ([^\r]+)/i.exec(head)?.[1],
    body: JSON.parse(body),
  };
}

describe('Requests refused by the HTTP server itself', () => {
  jest.setTimeout(60_000);
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess(
      testServerEnv({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_MAX_CONNECTIONS: '5' }),
    );
    await server.ready;
  });
  afterAll(() => server?.stop());

  const request = (headers = '') => `GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`;

  it('answers headers over 16 kB with 431 HEADERS_TOO_LARGE in the error format', async () => {
    const answer = parseAnswer(await rawExchange(server.url, [request(`X-Big: ${'a'.repeat(65_536)}\r\n`)]));
    expect(answer).toEqual({
      statusLine: 'HTTP/1.1 431 Request Header Fields Too Large',
      contentType: 'application/json; charset=utf-8',
      body: { success: false, code: 'HEADERS_TOO_LARGE', message: expect.any(String) },
    });
  });

  it.each([
    ['both Content-Length and chunked', request('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n')],
    ['no HTTP at all', 'HELLO\r\n\r\n'],
  ])('answers a malformed request (%s) with 400 VALIDATION_FAILED in the error format', async (_, text) => {
    const answer = parseAnswer(await rawExchange(server.url, [text]));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.body).toEqual({
      success: false,
      code: 'VALIDATION_FAILED',
      message: 'Malformed HTTP request',
      errors: [{ field: 'request', message: 'Malformed HTTP request' }],
    });
  });

  // The client takes 5 s for its headers and 10 s for its body: a 408 is the server's timeout.
  it('closes a client that sends its headers too slowly with 408 REQUEST_TIMEOUT', async () => {
    const lines = ['GET /api/v1/events HTTP/1.1\r\n', ...Array.from({ length: 10 }, (_, i) => `X-Slow-${i}: 1\r\n`)];
    const answer = parseAnswer(await rawExchange(server.url, lines, 500));
    expect(answer.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer.body.code).toBe('REQUEST_TIMEOUT');
  });

  it('closes a client that sends its body too slowly with 408 REQUEST_TIMEOUT', async () => {
    const head =
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n';
    const answer = parseAnswer(await rawExchange(server.url, [head, ...'{"phone":"0800000000"'.split('')], 500));
    expect(answer.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer.body.code).toBe('REQUEST_TIMEOUT');
  });

  it('closes connections beyond HTTP_MAX_CONNECTIONS at once, and serves again once they are gone', async () => {
    const { hostname, port } = new URL(server.url);
    const open = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<ReturnType<typeof connect>>((done) => {
            const socket = connect(Number(port), hostname, () => done(socket));
          }),
      ),
    );
    // The server accepts connections in the order they were made: the five before this one.
    expect(await rawExchange(server.url, [request()])).toBe('');
    open.forEach((socket) => socket.destroy());
    const serves = () =>
      checkedFetch(`${server.url}/api/v1/events`).then(
        (res) => res.status === 200,
        () => false,
      );
    expect(await eventually('the server to take a connection again', serves, (ok) => ok)).toBe(true);
  });
});
