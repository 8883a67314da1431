import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { checkedFetch, ContractValidator, takeContractViolations } from './contract';

const JSON_TYPE = 'application/json; charset=utf-8';
const JSON_HEADERS: Record<string, string> = { 'content-type': JSON_TYPE };
const user = {
  id: 1,
  name: 'A',
  phone: '0812345678',
  role: 'customer',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const notFound = { success: false, code: 'NOT_FOUND', message: 'User 7 not found' };

/** The checker the whole HTTP suite relies on must itself catch drift. */
describe(ContractValidator.name, () => {
  const contract = new ContractValidator();
  const check = (method: string, path: string, status: number, body: unknown, headers = JSON_HEADERS) =>
    contract.violation(method, path, status, (name) => headers[name.toLowerCase()], JSON.stringify(body));

  it('accepts a documented response', () => {
    expect(check('GET', '/api/v1/users/7', 200, user)).toBeUndefined();
  });

  it('refuses a field the document does not list', () => {
    expect(check('GET', '/api/v1/users/7', 200, { ...user, password_hash: 'x' })).toMatch(/additional properties/);
  });

  it('refuses a body without a required field', () => {
    const { phone: _phone, ...withoutPhone } = user;
    expect(check('GET', '/api/v1/users/7', 200, withoutPhone)).toMatch(/phone/);
  });

  it('refuses a status the operation does not document', () => {
    expect(check('GET', '/api/v1/users/7', 409, { ...notFound, code: 'PHONE_TAKEN' })).toMatch(/not documented/);
  });

  it('refuses an error body outside the error format', () => {
    expect(check('GET', '/api/v1/users/7', 404, { statusCode: 404, message: 'Not Found' })).toMatch(/success/);
  });

  it('checks the error body of a route the document does not have', () => {
    expect(check('GET', '/api/v1/nowhere', 404, notFound)).toBeUndefined();
    expect(check('GET', '/api/v1/nowhere', 404, { error: 'Not Found' })).toBeDefined();
  });

  it('refuses a success from a route the document does not have', () => {
    expect(check('GET', '/api/v1/nowhere', 200, {})).toMatch(/not in openapi.json/);
  });

  it('refuses money without exactly two decimals', () => {
    const booking = {
      id: 1,
      user_id: 1,
      event_id: 1,
      ticket_type_id: 1,
      order_id: null,
      quantity: 1,
      total_amount: '1500',
      booking_date: user.created_at,
      status: 'confirmed',
      created_at: user.created_at,
      updated_at: user.created_at,
      tickets: [],
    };
    expect(check('GET', '/api/v1/bookings/1', 200, booking)).toMatch(/total_amount/);
    expect(check('GET', '/api/v1/bookings/1', 200, { ...booking, total_amount: '1500.00' })).toBeUndefined();
  });

  it('refuses a JSON body sent under another content type', () => {
    expect(check('GET', '/api/v1/users/7', 200, user, { 'content-type': 'text/html' })).toMatch(/content-type/);
  });

  it('refuses a response without a header the document promises', () => {
    expect(check('GET', '/api/v1/users', 200, [user])).toMatch(/X-Total-Count/);
    const headers = { ...JSON_HEADERS, 'x-total-count': '1' };
    expect(check('GET', '/api/v1/users', 200, [user], headers)).toBeUndefined();
  });

  it('records what checkedFetch receives from a server process, for the test to fail on', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': JSON_TYPE }).end('{"id":"7"}'));
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    try {
      const { port } = server.address() as AddressInfo;
      await checkedFetch(`http://127.0.0.1:${port}/api/v1/users/7`);
      expect(takeContractViolations()).toEqual([expect.stringMatching(/^GET \/api\/v1\/users\/7 → 200: /)]);
    } finally {
      server.close();
    }
  });
});
