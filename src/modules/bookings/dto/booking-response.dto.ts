import { ApiProperty } from '@nestjs/swagger';
import { ApiMoney } from '../../../common/money';
import { EventResponseDto, toEventResponse } from '../../events/dto/event-response.dto';
import { TicketResponseDto, toTicketResponse } from '../../tickets/dto/ticket-response.dto';
import { toUserResponse, UserResponseDto } from '../../users/dto/user-response.dto';
import { BookingEntity, BookingStatus } from '../entities/booking.entity';

export class BookingResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ type: 'integer', example: 2 })
  user_id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  event_id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  ticket_type_id: number;
  /** The order whose line this booking is; null for a direct booking. */
  @ApiProperty({ type: 'integer', nullable: true, example: null })
  order_id: number | null;
  @ApiProperty({ type: 'integer', example: 2 })
  quantity: number;
  /** The ticket type's price times quantity at booking time. */
  @ApiMoney('3000.00')
  total_amount: string;
  booking_date: Date;
  @ApiProperty({ enum: BookingStatus, enumName: 'BookingStatus', example: BookingStatus.Confirmed })
  status: BookingStatus;
  created_at: Date;
  updated_at: Date;
  /** One per seat. */
  @ApiProperty({ type: [TicketResponseDto], maxItems: 100 })
  tickets: TicketResponseDto[];
}

/** A booking in a list, with its user and event. */
export class BookingDetailsResponseDto extends BookingResponseDto {
  user: UserResponseDto;
  event: EventResponseDto;
}

export function toBookingResponse(booking: BookingEntity): BookingResponseDto {
  return {
    id: booking.id,
    user_id: booking.userId,
    event_id: booking.eventId,
    ticket_type_id: booking.ticketTypeId,
    order_id: booking.orderId,
    quantity: booking.quantity,
    total_amount: booking.totalAmount,
    booking_date: booking.bookingDate,
    status: booking.status,
    created_at: booking.createdAt,
    updated_at: booking.updatedAt,
    tickets: booking.tickets.map(toTicketResponse),
  };
}

export function toBookingDetailsResponse(booking: BookingEntity): BookingDetailsResponseDto {
  return { ...toBookingResponse(booking), user: toUserResponse(booking.user), event: toEventResponse(booking.event) };
}
