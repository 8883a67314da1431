import { ApiProperty } from '@nestjs/swagger';

export class DeletedResponseDto {
  @ApiProperty({ enum: [true] })
  success: true;

  @ApiProperty({ maxLength: 100, example: 'Event deleted successfully' })
  message: string;

  @ApiProperty({ nullable: true, enum: [null], example: null })
  data: null;
}
