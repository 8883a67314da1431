import { ApiProperty } from '@nestjs/swagger';
import { WaitlistStatus } from '../entities/waitlist-entry.entity';

export class WaitlistEntryResponseDto {
  @ApiProperty({ type: 'integer' })
  id: number;
  @ApiProperty({ type: 'integer' })
  event_id: number;
  @ApiProperty({ type: 'integer' })
  user_id: number;
  @ApiProperty({ type: 'integer' })
  ticket_type_id: number;
  @ApiProperty({ type: 'integer' })
  quantity: number;
  @ApiProperty({ enum: WaitlistStatus, enumName: 'WaitlistStatus' })
  status: WaitlistStatus;
  /** 1-based place among the event's waiting entries; null unless `waiting`. */
  @ApiProperty({ type: 'integer', nullable: true })
  position: number | null;
  /** The hold of the offer (confirm it with `POST /holds/{id}/confirm`); null until an offer is made. */
  @ApiProperty({ type: 'integer', nullable: true })
  hold_id: number | null;
  created_at: Date;
  updated_at: Date;
}
