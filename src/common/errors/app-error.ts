import { ErrorCode } from './error-code';

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
  ) {
    super(message);
    this.name = 'AppError';
  }

  static validation(errors: FieldError[]): AppError {
    return new AppError('VALIDATION_FAILED', errors.map((e) => e.message).join('; '), errors);
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
