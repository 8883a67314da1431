import { ApiProperty } from '@nestjs/swagger';
import { ApiMoney } from '../../../common/money';
import { EventEntity, EventStatus } from '../entities/event.entity';

export class EventResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ maxLength: 255, example: 'Bangkok Rock Festival' })
  title: string;
  @ApiProperty({
    type: String,
    maxLength: 10_000,
    nullable: true,
    example: 'Two stages of rock bands from across Asia.',
  })
  description: string | null;
  @ApiProperty({ maxLength: 500, example: 'Impact Arena, Bangkok' })
  venue: string;
  @ApiProperty({ format: 'date-time', example: '2027-01-02T13:00:00.000Z' })
  date_time: string;
  @ApiProperty({ type: 'integer', example: 5000 })
  capacity: number;
  @ApiMoney('1500.00')
  price: string;
  @ApiProperty({ enum: EventStatus, enumName: 'EventStatus', example: EventStatus.Active })
  status: EventStatus;
  /** Tickets in confirmed bookings. */
  @ApiProperty({ type: 'integer', example: 5 })
  total_tickets_sold: number;
  /** Tickets kept by active checkout holds. */
  @ApiProperty({ type: 'integer', example: 2 })
  total_tickets_held: number;
  /** Sum of the confirmed bookings' amounts. */
  @ApiMoney('3000.00')
  total_revenue: string;
  /** Number of confirmed bookings. */
  @ApiProperty({ type: 'integer', example: 2 })
  total_bookings: number;
  /** capacity - total_tickets_sold - total_tickets_held */
  @ApiProperty({ type: 'integer', example: 4993 })
  available_tickets: number;
  @ApiProperty({ format: 'date-time' })
  created_at: string;
  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

/** Dates as ISO strings already: a list of them serialises several times faster than one of Date objects. */
export function toEventResponse(event: EventEntity): EventResponseDto {
  return {
    id: event.id,
    title: event.title,
    description: event.description,
    venue: event.venue,
    date_time: event.dateTime.toISOString(),
    capacity: event.capacity,
    price: event.price,
    status: event.status,
    total_tickets_sold: event.totalTicketsSold,
    total_tickets_held: event.totalTicketsHeld,
    total_revenue: event.totalRevenue,
    total_bookings: event.totalBookings,
    available_tickets: event.capacity - event.totalTicketsSold - event.totalTicketsHeld,
    created_at: event.createdAt.toISOString(),
    updated_at: event.updatedAt.toISOString(),
  };
}
