import { ApiProperty } from '@nestjs/swagger';
import { ERROR_CODES, ErrorCode } from './error-code';

export class FieldErrorDto {
  /** Path of the offending input, e.g. `quantity` or `id`. */
  field: string;
  message: string;
}

/** The body of every non-2xx response. */
export class ErrorResponseDto {
  @ApiProperty({ enum: [false] })
  success: false;

  message: string;

  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode' })
  code: ErrorCode;

  /** Present for `VALIDATION_FAILED` only. */
  errors?: FieldErrorDto[];
}
