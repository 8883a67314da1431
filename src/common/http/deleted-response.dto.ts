import { ApiProperty } from '@nestjs/swagger';

export class DeletedResponseDto {
  @ApiProperty({ enum: [true] })
  success: true;

  /** @example Event deleted successfully */
  @ApiProperty({ maxLength: 100 })
  message: string;

  @ApiProperty({ nullable: true, enum: [null], example: null })
  data: null;
}
