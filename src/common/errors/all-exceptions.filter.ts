import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { isDatabaseUnavailable } from '../../database/postgres-errors';
import { requestIdOf } from '../../logging/logging.module';
import { BODY_LIMIT_BYTES } from '../http/body-limit';
import { AppError } from './app-error';
import { ERROR_STATUS, ErrorCode } from './error-code';
import { ErrorResponseDto } from './error-response.dto';

/** Codes for the 4xx errors raised by the framework (routing, body parsing). */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
};

/** The contract's error body for `error`. */
export function errorBody(error: AppError): ErrorResponseDto {
  const body: ErrorResponseDto = { success: false, message: error.message, code: error.code };
  if (error.code === 'VALIDATION_FAILED') body.errors = error.errors ?? [];
  return body;
}

/** The one place where anything thrown becomes the contract's error body. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = this.toAppError(exception, response);
    if (error.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    response.status(ERROR_STATUS[error.code]).json(errorBody(error));
  }

  /** Logs what is not the client's fault, with the id of the request it happened in. */
  private toAppError(exception: unknown, response: Response): AppError {
    if (exception instanceof AppError) return exception;
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({
        request_id: requestIdOf(response),
        msg: `database unavailable: ${(exception as Error).message}`,
      });
      return AppError.unavailable();
    }
    const status = clientErrorStatus(exception);
    if (status === undefined) {
      const stack = exception instanceof Error ? exception.stack : String(exception);
      this.logger.error({ request_id: requestIdOf(response), msg: stack });
      return new AppError('INTERNAL', 'Internal server error');
    }
    const message = (exception as Error).message;
    switch (CODE_BY_STATUS[status]) {
      case 'NOT_FOUND':
        return new AppError('NOT_FOUND', message.replace(/^Cannot/, 'No route'));
      case 'PAYLOAD_TOO_LARGE':
        return new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${BODY_LIMIT_BYTES / 1024} kB`);
      default:
        return AppError.validation([{ field: 'body', message: `Malformed request: ${message}` }]);
    }
  }
}

/** The 4xx status of an error raised by the framework or the body parser, if it is one. */
function clientErrorStatus(exception: unknown): number | undefined {
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : (exception as { expose?: boolean; status?: number } | null)?.expose
        ? (exception as { status?: number }).status
        : undefined;
  return status !== undefined && status >= 400 && status < 500 ? status : undefined;
}
