import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiResponseOptions } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { ErrorResponseDto } from '../errors/error-response.dto';

/** One documented error response per status, each listing the codes it can carry. */
export function errorResponses(...codes: ErrorCode[]): ApiResponseOptions[] {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return [...byStatus].map(([status, statusCodes]) => ({
    status,
    type: ErrorResponseDto,
    description: `code: ${statusCodes.join(' | ')}`,
  }));
}

/** Documents the error responses a route can give beyond those every route can (see createOpenApiDocument). */
export function ApiErrors(...codes: ErrorCode[]) {
  return applyDecorators(...errorResponses(...codes).map((response) => ApiResponse(response)));
}
