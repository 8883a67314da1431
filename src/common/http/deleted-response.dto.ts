import { ApiProperty } from '@nestjs/swagger';

export class DeletedResponseDto {
  @ApiProperty({ enum: [true] })
  success: true;

  /** @example Event deleted successfully */
  message: string;

  @ApiProperty({ type: 'null', nullable: true, example: null })
  data: null;
}
