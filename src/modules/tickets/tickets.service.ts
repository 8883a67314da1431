import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { UserEntity } from '../users/entities/user.entity';
import { assertOwnerOrAdmin } from '../users/owner-or-admin';
import { Outbox } from '../webhooks/outbox';
import { WebhookEventType } from '../webhooks/webhook-event-type';
import { toTicketResponse } from './dto/ticket-response.dto';
import { TicketEntity, TicketStatus } from './entities/ticket.entity';

@Injectable()
export class TicketsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** A ticket, to its booking's owner or an admin. */
  async get(code: string, caller: UserEntity): Promise<TicketEntity> {
    const ticket = await this.db
      .getRepository(TicketEntity)
      .findOne({ where: { ticketCode: code }, relations: { booking: true } });
    if (!ticket) throw AppError.notFound('Ticket', code);
    assertOwnerOrAdmin(caller, ticket.booking.userId);
    return ticket;
  }

  /**
   * Marks an active ticket used. The booking row is locked first (as a cancellation locks it),
   * so a check-in and a cancellation of the same booking never interleave, and the ticket row
   * lock makes a second concurrent check-in wait and then see the ticket used. The check-in
   * records its `ticket.checked_in` webhook message.
   */
  async checkIn(code: string): Promise<TicketEntity> {
    return this.db.transaction(async (em) => {
      const found = await em.findOneBy(TicketEntity, { ticketCode: code });
      if (!found) throw AppError.notFound('Ticket', code);
      await em.query('SELECT 1 FROM bookings WHERE id = $1 FOR UPDATE', [found.bookingId]);
      const ticket = await em.findOneOrFail(TicketEntity, {
        where: { id: found.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (ticket.status === TicketStatus.Used) {
        throw new AppError('TICKET_ALREADY_USED', `Ticket ${code} was checked in at ${ticket.usedAt!.toISOString()}`);
      }
      if (ticket.status === TicketStatus.Cancelled)
        throw new AppError('TICKET_CANCELLED', `Ticket ${code} is cancelled`);
      const used = await em.save(Object.assign(ticket, { status: TicketStatus.Used, usedAt: new Date() }));
      await this.outbox.record(em, WebhookEventType.TicketCheckedIn, [
        { resource: `ticket/${used.id}`, data: toTicketResponse(used) },
      ]);
      return used;
    });
  }
}
