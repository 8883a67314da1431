import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { AppError } from '../../common/errors/app-error';
import { IDEMPOTENCY_KEY_TTL_HOURS } from './idempotency-keys.service';

const HEADER = 'Idempotency-Key';
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const key = context.switchToHttp().getRequest<Request>().header(HEADER);
  if (key === undefined) return undefined;
  if (!KEY_FORMAT.test(key)) {
    throw AppError.validation([{ field: HEADER, message: `${HEADER} must be 1 to 255 visible ASCII characters` }]);
  }
  return key;
});

/** Documents the `Idempotency-Key` header of a route that takes it. */
export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: HEADER,
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: KEY_FORMAT.source },
    description:
      `Makes the request safe to retry: a retry with the same key and the same body gets the original ` +
      `response and changes nothing more, also when retries arrive concurrently; the same key with another ` +
      `body is 409 IDEMPOTENCY_KEY_REUSED. Keys belong to the caller and are kept ${IDEMPOTENCY_KEY_TTL_HOURS} ` +
      `hours. Only a success is remembered: a refused request may be retried with the same key. A key used on one route cannot be replayed on another.`,
  });
