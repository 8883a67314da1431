import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiResponseOptions } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { ErrorResponseDto } from '../errors/error-response.dto';

/** Errors sent with a `Retry-After` header. */
const RETRYABLE: ErrorCode[] = ['RATE_LIMITED', 'SERVICE_UNAVAILABLE'];
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } };

/** One documented error response per status, each listing the codes it can carry. */
export function errorResponses(...codes: ErrorCode[]): ApiResponseOptions[] {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return [...byStatus].map(([status, statusCodes]) => ({
    status,
    type: ErrorResponseDto,
    description: `code: ${statusCodes.join(' | ')}`,
    ...(statusCodes.some((code) => RETRYABLE.includes(code)) && { headers: RETRY_AFTER }),
  }));
}

/** Documents the error responses a route can give beyond those every route can (see createOpenApiDocument). */
export function ApiErrors(...codes: ErrorCode[]) {
  return applyDecorators(...errorResponses(...codes).map((response) => ApiResponse(response)));
}
