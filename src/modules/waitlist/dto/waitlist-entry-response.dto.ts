import { ApiProperty } from '@nestjs/swagger';
import { WaitlistStatus } from '../entities/waitlist-entry.entity';

export class WaitlistEntryResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  event_id: number;
  @ApiProperty({ type: 'integer', example: 2 })
  user_id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  ticket_type_id: number;
  @ApiProperty({ type: 'integer', example: 2 })
  quantity: number;
  @ApiProperty({ enum: WaitlistStatus, enumName: 'WaitlistStatus', example: WaitlistStatus.Waiting })
  status: WaitlistStatus;
  /** 1-based place among the event's waiting entries; null unless `waiting`. */
  @ApiProperty({ type: 'integer', nullable: true, example: 3 })
  position: number | null;
  /** The hold of the offer (confirm it with `POST /holds/{id}/confirm`, unless it is an order's line); null until an offer is made. */
  @ApiProperty({ type: 'integer', nullable: true, example: null })
  hold_id: number | null;
  /**
   * With a payment provider, an offer of a priced type is a pending one-line order for the entry's
   * user, paid through `POST /orders/{id}/payment`; null otherwise.
   */
  @ApiProperty({ type: 'integer', nullable: true, example: null })
  order_id: number | null;
  created_at: Date;
  updated_at: Date;
}
