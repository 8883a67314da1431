import { ArgumentsHost, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { AppError } from './app-error';
import { ERROR_CODES, ERROR_STATUS } from './error-code';

function respond(exception: unknown) {
  const sent = { status: 0, body: undefined as unknown, headers: {} as Record<string, string> };
  const response: {
    getHeader: (n: string) => string | undefined;
    setHeader: (n: string, v: string) => void;
    status: (c: number) => unknown;
    json: (b: unknown) => void;
  } = {
    getHeader(name: string) {
      return sent.headers[name];
    },
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
    },
    status(code: number) {
      sent.status = code;
      return response;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return sent;
}

describe(AllExceptionsFilter.name, () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it.each(ERROR_CODES)('sends %s with the status of the contract table', (code) => {
    const { status, body } = respond(new AppError(code, 'message'));
    expect(status).toBe(ERROR_STATUS[code]);
    expect(body).toMatchObject({ success: false, code, message: 'message' });
  });

  it('maps the codes of shared/API.md, and those the API adds to it, to their statuses', () => {
    expect(ERROR_STATUS).toEqual({
      VALIDATION_FAILED: 400,
      INVALID_SIGNATURE: 400,
      UNAUTHORIZED: 401,
      INVALID_CREDENTIALS: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      PHONE_TAKEN: 409,
      INSUFFICIENT_TICKETS: 409,
      EVENT_NOT_BOOKABLE: 409,
      CAPACITY_BELOW_SOLD: 409,
      INVALID_STATUS_TRANSITION: 409,
      EVENT_HAS_BOOKINGS: 409,
      TICKET_ALREADY_USED: 409,
      TICKET_CANCELLED: 409,
      HOLD_EXISTS: 409,
      HOLD_NOT_ACTIVE: 409,
      HOLD_EXPIRED: 409,
      TICKET_TYPE_IN_USE: 409,
      TICKETS_AVAILABLE: 409,
      ALREADY_WAITING: 409,
      ORDER_NOT_PENDING: 409,
      ORDER_EXPIRED: 409,
      REFUND_NOT_ALLOWED: 409,
      PAYMENT_REQUIRED: 409,
      PAYMENT_REJECTED: 409,
      PROMO_CODE_INVALID: 409,
      PROMO_CODE_TAKEN: 409,
      PROMO_CODE_IN_USE: 409,
      IDEMPOTENCY_KEY_REUSED: 409,
      DELIVERY_PENDING: 409,
      REQUEST_TIMEOUT: 408,
      PAYLOAD_TOO_LARGE: 413,
      HEADERS_TOO_LARGE: 431,
      RATE_LIMITED: 429,
      INTERNAL: 500,
      PAYMENT_PROVIDER_UNAVAILABLE: 502,
      SERVICE_UNAVAILABLE: 503,
    });
  });

  it('sends Retry-After with an error that says when to retry', () => {
    const { status, headers } = respond(AppError.rateLimited(42));
    expect(status).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect(headers['Retry-After']).toBe('42');
  });

  it('sends errors only with VALIDATION_FAILED', () => {
    expect(respond(AppError.validation([{ field: 'a', message: 'b' }])).body).toHaveProperty('errors');
    expect(respond(AppError.notFound('Event', 1)).body).not.toHaveProperty('errors');
  });

  it.each([
    [
      'a lock timeout',
      new QueryFailedError('SELECT 1', [], Object.assign(new Error('lock timeout'), { code: '55P03' })),
    ],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a lost connection in a transaction', new QueryRunnerProviderAlreadyReleasedError()],
    ['a lost connection at commit', new QueryRunnerAlreadyReleasedError()],
    ['a server shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' })],
  ])('answers %s from the database with 503 SERVICE_UNAVAILABLE and Retry-After', (_, error) => {
    const { status, body, headers } = respond(error);
    expect(status).toBe(HttpStatus.SERVICE_UNAVAILABLE);
    expect(body).toEqual({
      success: false,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is briefly unavailable, retry shortly',
    });
    expect(headers['Retry-After']).toBe('1');
  });

  it('hides everything about an unexpected error behind 500 INTERNAL', () => {
    const error = new Error('duplicate key value violates unique constraint "users_pkey" in SELECT * FROM users');
    const { status, body } = respond(error);
    expect(status).toBe(HttpStatus.INTERNAL_SERVER_ERROR);
    expect(body).toEqual({ success: false, code: 'INTERNAL', message: 'Internal server error' });
  });

  it('hides a thrown non-error value behind 500 INTERNAL', () => {
    expect(respond('boom').body).toEqual({ success: false, code: 'INTERNAL', message: 'Internal server error' });
  });

  it('maps a framework 404 to NOT_FOUND', () => {
    expect(respond(new NotFoundException('Cannot GET /x')).body).toEqual({
      success: false,
      code: 'NOT_FOUND',
      message: 'No route GET /x',
    });
  });
});
