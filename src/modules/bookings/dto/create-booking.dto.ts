import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';

export class CreateBookingDto {
  /** Whom the booking is for; defaults to the caller. Only an admin may book for someone else. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @ApiProperty({ type: 'integer' })
  user_id?: number;

  @IsInt()
  @Min(1)
  @ApiProperty({ type: 'integer' })
  event_id: number;

  /** 1 to the per-booking maximum (BOOKING_MAX_QUANTITY, default 10). @example 2 */
  @IsInt()
  @Min(1)
  @ApiProperty({ type: 'integer' })
  quantity: number;
}
