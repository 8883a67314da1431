import { ApiProperty } from '@nestjs/swagger';
import { ERROR_CODES, ErrorCode } from './error-code';

export class FieldErrorDto {
  /** Path of the offending input, e.g. `quantity` or `id`. */
  @ApiProperty({ maxLength: 10_000 })
  field: string;
  @ApiProperty({ maxLength: 10_000 })
  message: string;
}

/** The body of every non-2xx response. */
export class ErrorResponseDto {
  @ApiProperty({ enum: [false] })
  success: false;

  @ApiProperty({ maxLength: 10_000 })
  message: string;

  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode' })
  code: ErrorCode;

  /** Present for `VALIDATION_FAILED` only: the first 20 invalid fields. */
  @ApiProperty({ type: [FieldErrorDto], maxItems: 20, required: false })
  errors?: FieldErrorDto[];
}
