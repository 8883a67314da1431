import { ApiProperty } from '@nestjs/swagger';
import { ApiMoney } from '../../../common/money';
import { HoldEntity, HoldStatus, isDue } from '../entities/hold.entity';

export class HoldResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ type: 'integer', example: 2 })
  user_id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  event_id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  ticket_type_id: number;
  @ApiProperty({ type: 'integer', example: 2 })
  quantity: number;
  /** The ticket type's price times quantity when the hold was made: what its confirmation charges. */
  @ApiMoney('3000.00')
  total_amount: string;
  /** `expired` as soon as `expires_at` has passed, even before the seats are freed (within 5 seconds). */
  @ApiProperty({ enum: HoldStatus, enumName: 'HoldStatus', example: HoldStatus.Active })
  status: HoldStatus;
  /** When the seats stop being kept: HOLD_TTL_SECONDS after the hold was made. */
  expires_at: Date;
  /** The booking the confirmation made; null until then. */
  @ApiProperty({ type: 'integer', nullable: true, example: null })
  booking_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export function toHoldResponse(hold: HoldEntity): HoldResponseDto {
  return {
    id: hold.id,
    user_id: hold.userId,
    event_id: hold.eventId,
    ticket_type_id: hold.ticketTypeId,
    quantity: hold.quantity,
    total_amount: hold.totalAmount,
    status: isDue(hold) ? HoldStatus.Expired : hold.status,
    expires_at: hold.expiresAt,
    booking_id: hold.bookingId,
    created_at: hold.createdAt,
    updated_at: hold.updatedAt,
  };
}
