import { ApiProperty } from '@nestjs/swagger';
import { ApiMoney } from '../../../common/money';
import { EventEntity } from '../entities/event.entity';
import { TicketTypeEntity } from '../entities/ticket-type.entity';

export class TicketTypeResponseDto {
  @ApiProperty({ type: 'integer', example: 6 })
  id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  event_id: number;
  @ApiProperty({ maxLength: 255, example: 'VIP' })
  name: string;
  /** What one ticket of this type costs; the default type's price is the event's. */
  @ApiMoney('4500.00')
  price: string;
  /** At most this many seats sold and held as this type; null: the event's capacity alone. */
  @ApiProperty({ type: 'integer', nullable: true, example: 200 })
  quota: number | null;
  /** The event's one default type, booked when no `ticket_type_id` is given. */
  is_default: boolean;
  /** Sold only to an order whose promo code names it; listed to admins only. */
  hidden: boolean;
  /** Tickets of this type in confirmed bookings. */
  @ApiProperty({ type: 'integer', example: 3 })
  total_tickets_sold: number;
  /** Tickets of this type kept by active checkout holds. */
  @ApiProperty({ type: 'integer', example: 0 })
  total_tickets_held: number;
  /** The smaller of what the quota and what the event's capacity have left. */
  @ApiProperty({ type: 'integer', example: 197 })
  available_tickets: number;
  created_at: Date;
  updated_at: Date;
}

/** `type` of `event`, whose counters bound what the type has left. */
export function toTicketTypeResponse(type: TicketTypeEntity, event: EventEntity): TicketTypeResponseDto {
  const eventLeft = event.capacity - event.totalTicketsSold - event.totalTicketsHeld;
  const quotaLeft = type.quota === null ? eventLeft : type.quota - type.totalTicketsSold - type.totalTicketsHeld;
  return {
    id: type.id,
    event_id: type.eventId,
    name: type.name,
    price: type.price,
    quota: type.quota,
    is_default: type.isDefault,
    hidden: type.hidden,
    total_tickets_sold: type.totalTicketsSold,
    total_tickets_held: type.totalTicketsHeld,
    available_tickets: Math.min(eventLeft, quotaLeft),
    created_at: type.createdAt,
    updated_at: type.updatedAt,
  };
}
