import { ApiResponseOptions, getSchemaPath } from '@nestjs/swagger';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { MAX_LISTED_ERRORS } from '../errors/app-error';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { FieldErrorDto } from '../errors/error-response.dto';

/** Errors sent with a `Retry-After` header. */
const RETRYABLE: ErrorCode[] = ['RATE_LIMITED', 'SERVICE_UNAVAILABLE'];
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer' } },
};

/** The named schema every error's `message` refers to; createOpenApiDocument adds it to the document. */
export const ERROR_MESSAGE = {
  name: 'ErrorMessage',
  schema: {
    type: 'string' as const,
    maxLength: 10_000,
    description: 'What went wrong, in words for a person; free text: branch on `code`, never on this.',
  },
};

/** A message of each code, for the examples of the documentation. */
const EXAMPLE_MESSAGES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'quantity must not be less than 1',
  UNAUTHORIZED: 'Authentication required',
  INVALID_CREDENTIALS: 'Invalid phone or password',
  FORBIDDEN: 'You are not allowed to do this',
  NOT_FOUND: 'Event 42 not found',
  INSUFFICIENT_TICKETS: 'Not enough tickets: 2 requested, 1 available',
  RATE_LIMITED: 'Too many requests, retry in 30 s',
  INTERNAL: 'Internal server error',
  SERVICE_UNAVAILABLE: 'The service is briefly unavailable, retry shortly',
};

/**
 * The error body an operation sends with one status: the contract's ErrorResponseDto with `code`
 * narrowed to the codes it can send there, so that a generated client can narrow it too.
 */
function errorSchema(codes: ErrorCode[]) {
  const validation = codes.includes('VALIDATION_FAILED');
  return {
    type: 'object',
    required: ['success', 'message', 'code'],
    properties: {
      success: { type: 'boolean', enum: [false] },
      message: { $ref: `#/components/schemas/${ERROR_MESSAGE.name}` },
      code: { type: 'string', enum: codes },
      ...(validation && {
        errors: {
          description: `Present for VALIDATION_FAILED only: the first ${MAX_LISTED_ERRORS} invalid fields.`,
          type: 'array',
          maxItems: MAX_LISTED_ERRORS,
          items: { $ref: getSchemaPath(FieldErrorDto) },
        },
      }),
    },
    example: {
      success: false,
      message: EXAMPLE_MESSAGES[codes[0]] ?? codes[0],
      code: codes[0],
      ...(validation && { errors: [{ field: 'quantity', message: EXAMPLE_MESSAGES.VALIDATION_FAILED }] }),
    },
  };
}

/** One documented error response per status, its body narrowed to the codes it can carry there. */
export function errorResponses(...codes: ErrorCode[]): ApiResponseOptions[] {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return [...byStatus].map(([status, statusCodes]) => ({
    status,
    description: `code: ${statusCodes.join(' | ')}`,
    schema: errorSchema(statusCodes),
    ...(statusCodes.some((code) => RETRYABLE.includes(code)) && { headers: RETRY_AFTER }),
  }));
}

/**
 * Documents the error responses a route (or every route of a controller) can give beyond those
 * every route can (see createOpenApiDocument). Codes declared by an earlier ApiErrors on the same
 * route join these, so a status shared by both lists the codes of both.
 */
export function ApiErrors(...codes: ErrorCode[]) {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value as object | undefined) ?? target;
    const declared = (Reflect.getMetadata(DECORATORS.API_RESPONSE, holder) ?? {}) as Record<string, ApiResponseOptions>;
    const earlier = Object.values(declared).flatMap((response) => codesOf(response));
    const merged = errorResponses(...new Set([...earlier, ...codes]));
    const entries = merged.map(({ status, ...response }) => [String(status), response]);
    Reflect.defineMetadata(DECORATORS.API_RESPONSE, { ...declared, ...Object.fromEntries(entries) }, holder);
  };
}

function codesOf(response: ApiResponseOptions): ErrorCode[] {
  return (
    (response as { schema?: { properties?: { code?: { enum?: ErrorCode[] } } } }).schema?.properties?.code?.enum ?? []
  );
}
