import { HttpStatus } from '@nestjs/common';

/**
 * The error codes of the contract (shared/API.md), and those the API adds to it (REQUEST_TIMEOUT,
 * HEADERS_TOO_LARGE, IDEMPOTENCY_KEY_REUSED, SERVICE_UNAVAILABLE), each with the one HTTP status it is sent with.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  INVALID_CREDENTIALS: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  PHONE_TAKEN: HttpStatus.CONFLICT,
  INSUFFICIENT_TICKETS: HttpStatus.CONFLICT,
  EVENT_NOT_BOOKABLE: HttpStatus.CONFLICT,
  CAPACITY_BELOW_SOLD: HttpStatus.CONFLICT,
  INVALID_STATUS_TRANSITION: HttpStatus.CONFLICT,
  EVENT_HAS_BOOKINGS: HttpStatus.CONFLICT,
  TICKET_ALREADY_USED: HttpStatus.CONFLICT,
  TICKET_CANCELLED: HttpStatus.CONFLICT,
  HOLD_EXISTS: HttpStatus.CONFLICT,
  HOLD_NOT_ACTIVE: HttpStatus.CONFLICT,
  HOLD_EXPIRED: HttpStatus.CONFLICT,
  TICKET_TYPE_IN_USE: HttpStatus.CONFLICT,
  IDEMPOTENCY_KEY_REUSED: HttpStatus.CONFLICT,
  REQUEST_TIMEOUT: HttpStatus.REQUEST_TIMEOUT,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  HEADERS_TOO_LARGE: 431, // Request Header Fields Too Large, which HttpStatus lacks
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  INTERNAL: HttpStatus.INTERNAL_SERVER_ERROR,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
