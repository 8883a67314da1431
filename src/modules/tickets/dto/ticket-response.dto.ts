import { ApiProperty } from '@nestjs/swagger';
import { TicketEntity, TicketStatus } from '../entities/ticket.entity';
import { TICKET_CODE_PATTERN } from '../ticket-code';

export class TicketResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  booking_id: number;
  /** @example TKT-20261225-7K3QX9PA */
  @ApiProperty({ pattern: TICKET_CODE_PATTERN.source, maxLength: 21 })
  ticket_code: string;
  @ApiProperty({ enum: TicketStatus, enumName: 'TicketStatus', example: TicketStatus.Active })
  status: TicketStatus;
  created_at: Date;
  updated_at: Date;
  /** When the ticket was checked in; null until then. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  used_at: Date | null;
}

export function toTicketResponse(ticket: TicketEntity): TicketResponseDto {
  return {
    id: ticket.id,
    booking_id: ticket.bookingId,
    ticket_code: ticket.ticketCode,
    status: ticket.status,
    created_at: ticket.createdAt,
    updated_at: ticket.updatedAt,
    used_at: ticket.usedAt,
  };
}
