import { ErrorCode } from './error-code';

/** Field errors listed in one response: a body with thousands of bad fields gets a short answer. */
export const MAX_LISTED_ERRORS = 20;
/** Field errors spelled out in the message. */
const MESSAGE_ERRORS = 3;
/** Seconds a client should wait before retrying a 503. */
const RETRY_UNAVAILABLE_AFTER_S = 1;

export interface FieldError {
  field: string;
  message: string;
}

/**
 * A rule of the contract was broken. Services throw it with a contract code;
 * the exception filter turns it into the error body and status.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
    /** Sent as `Retry-After`: seconds before the same request may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  /** The first MAX_LISTED_ERRORS field errors; the message spells out the first few and counts the rest. */
  static validation(errors: FieldError[]): AppError {
    const spelled = errors.slice(0, MESSAGE_ERRORS).map((e) => e.message);
    const more = errors.length - spelled.length;
    const message = more > 0 ? `${spelled.join('; ')}; and ${more} more (${errors.length} errors)` : spelled.join('; ');
    return new AppError('VALIDATION_FAILED', message, errors.slice(0, MAX_LISTED_ERRORS));
  }

  static rateLimited(retryAfterSeconds: number, message = 'Too many requests'): AppError {
    return new AppError('RATE_LIMITED', `${message}, retry in ${retryAfterSeconds} s`, undefined, retryAfterSeconds);
  }

  /** 503: the database (or another dependency) cannot serve the request now; worth a retry. */
  static unavailable(message = 'The service is briefly unavailable, retry shortly'): AppError {
    return new AppError('SERVICE_UNAVAILABLE', message, undefined, RETRY_UNAVAILABLE_AFTER_S);
  }

  static notFound(resource: string, id: number | string): AppError {
    return new AppError('NOT_FOUND', `${resource} ${id} not found`);
  }

  static forbidden(message = 'You are not allowed to do this'): AppError {
    return new AppError('FORBIDDEN', message);
  }

  static unauthorized(message = 'Authentication required'): AppError {
    return new AppError('UNAUTHORIZED', message);
  }
}
