import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page } from '../../common/pagination/pagination-query.dto';
import { HoldEntity } from '../holds/entities/hold.entity';
import { BookingEntity } from '../bookings/entities/booking.entity';
import { WaitlistEntryEntity } from '../waitlist/entities/waitlist-entry.entity';
import { Outbox } from '../webhooks/outbox';
import { WebhookEventType } from '../webhooks/webhook-event-type';
import { PurchasePolicy } from '../seats/purchase-policy';
import { SeatLedger } from '../seats/seat-ledger';
import { CreateEventDto } from './dto/create-event.dto';
import { EventResponseDto, toEventResponse } from './dto/event-response.dto';
import { ListEventsQueryDto } from './dto/list-events-query.dto';
import { UpdateEventDto } from './dto/update-event.dto';
import { EventEntity, EventStatus } from './entities/event.entity';
import { DEFAULT_TICKET_TYPE_NAME, TicketTypeEntity } from './entities/ticket-type.entity';
import { EventReads } from './event-reads';

/** Events. Their seats change only through the SeatLedger, under the event's row lock. */
@Injectable()
export class EventsService {
  private readonly reads = new EventReads();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly seats: SeatLedger,
    private readonly outbox: Outbox,
    private readonly policy: PurchasePolicy,
  ) {}

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

  /** Creates the event with its default ticket type, at the event's price. */
  async create(dto: CreateEventDto): Promise<EventEntity> {
    assertFuture(dto.date_time);
    this.policy.assertPrice(dto.price);
    const { date_time: dateTime, ...fields } = dto;
    const event = await this.db.transaction(async (em) => {
      const event = await em.save(em.create(EventEntity, { ...fields, dateTime }));
      const defaultType = { eventId: event.id, name: DEFAULT_TICKET_TYPE_NAME, price: event.price, isDefault: true };
      await em.insert(TicketTypeEntity, defaultType);
      return event;
    });
    this.reads.changed();
    return event;
  }

  /**
   * Partial update; a new price is the default ticket type's too; seats a new capacity adds go to
   * the waiting list first; cancelling cancels the event's confirmed bookings and their tickets,
   * releases its holds and ends its waiting list, in the same transaction, which records the
   * `event.updated` (or `event.cancelled`) webhook message.
   */
  async update(id: number, dto: UpdateEventDto): Promise<EventEntity> {
    this.policy.assertPrice(dto.price);
    const updated = await this.db.transaction(async (em) => {
      const event = await this.seats.lock(em, id);
      const wasCancelled = event.status === EventStatus.Cancelled;
      const { date_time: dateTime, status, ...fields } = dto;
      if (dateTime && dateTime.getTime() !== event.dateTime.getTime()) {
        assertFuture(dateTime);
        event.dateTime = dateTime;
      }
      if (fields.capacity !== undefined) this.seats.assertCapacity(event, fields.capacity);
      if (fields.price !== undefined && fields.price !== event.price) {
        await em.update(TicketTypeEntity, { eventId: id, isDefault: true }, { price: fields.price });
      }
      if (status && status !== event.status) {
        if (event.status !== EventStatus.Active) {
          throw new AppError('INVALID_STATUS_TRANSITION', `A ${event.status} event cannot become ${status}`);
        }
        if (status === EventStatus.Cancelled) await this.seats.cancelEvent(em, event);
        event.status = status;
      }
      const saved = await em.save(Object.assign(event, fields));
      if (fields.capacity !== undefined) await this.seats.offerFreedSeats(em, id);
      const updated = fields.capacity === undefined ? saved : await em.findOneByOrFail(EventEntity, { id });
      const cancelled = !wasCancelled && updated.status === EventStatus.Cancelled;
      await this.outbox.record(em, cancelled ? WebhookEventType.EventCancelled : WebhookEventType.EventUpdated, [
        { resource: `event/${id}`, data: toEventResponse(updated) },
      ]);
      return updated;
    });
    this.reads.changed(id);
    return updated;
  }

  /** Only an event without any booking, hold or waiting-list entry can be deleted: history is never cascaded away. */
  async remove(id: number): Promise<void> {
    await this.db.transaction(async (em) => {
      await this.seats.lock(em, id);
      const usedBy = (entity: typeof BookingEntity | typeof HoldEntity | typeof WaitlistEntryEntity) =>
        em.existsBy(entity, { eventId: id });
      if ((await usedBy(BookingEntity)) || (await usedBy(HoldEntity)) || (await usedBy(WaitlistEntryEntity))) {
        throw new AppError(
          'EVENT_HAS_BOOKINGS',
          `Event ${id} has bookings, holds or a waiting list; cancel it instead`,
        );
      }
      await em.delete(EventEntity, { id });
    });
    this.reads.changed(id);
  }
}

function assertFuture(dateTime: Date): void {
  if (dateTime.getTime() <= Date.now()) {
    throw AppError.validation([{ field: 'date_time', message: 'date_time must be in the future' }]);
  }
}
