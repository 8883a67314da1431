import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page } from '../../common/pagination/pagination-query.dto';
import { BookingEntity, BookingStatus } from '../bookings/entities/booking.entity';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { CreateEventDto } from './dto/create-event.dto';
import { EventResponseDto, toEventResponse } from './dto/event-response.dto';
import { ListEventsQueryDto } from './dto/list-events-query.dto';
import { UpdateEventDto } from './dto/update-event.dto';
import { EventEntity, EventStatus } from './entities/event.entity';
import { EventReads } from './event-reads';

/**
 * Events and their seats. Every change to an event's counters happens under a
 * `SELECT … FOR UPDATE` lock on the event row: a sale in the bookings module's BOOK_STATEMENT,
 * a cancellation through `lock` and `release` in the caller's transaction.
 * Lock order, everywhere: event, then booking, then ticket.
 */
@Injectable()
export class EventsService {
  private readonly reads = new EventReads();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A page of events by date and time, then id, as the public reads it (see EventReads). */
  list({ status, limit, offset }: ListEventsQueryDto): Promise<Readonly<Page<EventResponseDto>>> {
    return this.reads.page(`${status ?? ''}:${limit}:${offset}`, async () => {
      const [items, total] = await this.db.getRepository(EventEntity).findAndCount({
        where: status ? { status } : {},
        order: { dateTime: 'ASC', id: 'ASC' },
        take: limit,
        skip: offset,
      });
      return { items: items.map(toEventResponse), total };
    });
  }

  /** An event as the public reads it (see EventReads). */
  read(id: number): Promise<Readonly<EventResponseDto>> {
    return this.reads.event(id, async () => toEventResponse(await this.get(id)));
  }

  /** After a write to event `id`'s row (a sale, a cancellation) has committed: this process reads it afresh. */
  changed(id: number): void {
    this.reads.changed(id);
  }

  async get(id: number): Promise<EventEntity> {
    const event = await this.db.getRepository(EventEntity).findOneBy({ id });
    if (!event) throw AppError.notFound('Event', id);
    return event;
  }

  async create(dto: CreateEventDto): Promise<EventEntity> {
    assertFuture(dto.date_time);
    const { date_time: dateTime, ...fields } = dto;
    const repository = this.db.getRepository(EventEntity);
    const event = await repository.save(repository.create({ ...fields, dateTime }));
    this.reads.changed();
    return event;
  }

  /** Partial update; cancelling cancels the event's confirmed bookings and their tickets in the same transaction. */
  async update(id: number, dto: UpdateEventDto): Promise<EventEntity> {
    const updated = await this.db.transaction(async (em) => {
      const event = await this.lock(em, id);
      const { date_time: dateTime, status, ...fields } = dto;
      if (dateTime && dateTime.getTime() !== event.dateTime.getTime()) {
        assertFuture(dateTime);
        event.dateTime = dateTime;
      }
      if (fields.capacity !== undefined && fields.capacity < event.totalTicketsSold) {
        throw new AppError(
          'CAPACITY_BELOW_SOLD',
          `Capacity ${fields.capacity} is below the ${event.totalTicketsSold} tickets already sold`,
        );
      }
      if (status && status !== event.status) {
        if (event.status !== EventStatus.Active) {
          throw new AppError('INVALID_STATUS_TRANSITION', `A ${event.status} event cannot become ${status}`);
        }
        if (status === EventStatus.Cancelled) await this.cancelBookings(em, event);
        event.status = status;
      }
      return em.save(Object.assign(event, fields));
    });
    this.reads.changed(id);
    return updated;
  }

  /** Only an event without any booking can be deleted: history is never cascaded away. */
  async remove(id: number): Promise<void> {
    await this.db.transaction(async (em) => {
      await this.lock(em, id);
      if (await em.existsBy(BookingEntity, { eventId: id })) {
        throw new AppError('EVENT_HAS_BOOKINGS', `Event ${id} has bookings; cancel it instead`);
      }
      await em.delete(EventEntity, { id });
    });
    this.reads.changed(id);
  }

  /** Returns a cancelled booking's seats and takes back its amount. */
  async release(em: EntityManager, eventId: number, quantity: number, amount: string): Promise<void> {
    await em.query(
      `UPDATE events
          SET total_tickets_sold = total_tickets_sold - $2, total_revenue = total_revenue - $3,
              total_bookings = total_bookings - 1, updated_at = now()
        WHERE id = $1`,
      [eventId, quantity, amount],
    );
  }

  /** Locks the event row for the rest of the transaction. */
  async lock(em: EntityManager, id: number): Promise<EventEntity> {
    const event = await em.findOne(EventEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!event) throw AppError.notFound('Event', id);
    return event;
  }

  private async cancelBookings(em: EntityManager, event: EventEntity): Promise<void> {
    const cancelled: { id: number }[] = await em
      .createQueryBuilder()
      .update(BookingEntity)
      .set({ status: BookingStatus.Cancelled })
      .where({ eventId: event.id, status: BookingStatus.Confirmed })
      .returning(['id'])
      .execute()
      .then((result) => result.raw as { id: number }[]);
    if (cancelled.length > 0) {
      await em
        .createQueryBuilder()
        .update(TicketEntity)
        .set({ status: TicketStatus.Cancelled })
        .where('booking_id IN (:...ids) AND status = :active', {
          ids: cancelled.map((b) => b.id),
          active: TicketStatus.Active,
        })
        .execute();
    }
    Object.assign(event, { totalTicketsSold: 0, totalRevenue: '0.00', totalBookings: 0 });
  }
}

function assertFuture(dateTime: Date): void {
  if (dateTime.getTime() <= Date.now()) {
    throw AppError.validation([{ field: 'date_time', message: 'date_time must be in the future' }]);
  }
}
