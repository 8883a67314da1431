import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { ErrorResponseDto } from '../errors/error-response.dto';

/** Documents the error responses a route can give, one entry per status listing its codes. */
export function ApiErrors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return applyDecorators(
    ...[...byStatus].map(([status, statusCodes]) =>
      ApiResponse({ status, type: ErrorResponseDto, description: `code: ${statusCodes.join(' | ')}` }),
    ),
  );
}
