import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { BookingEntity } from '../bookings/entities/booking.entity';
import { HoldEntity } from '../holds/entities/hold.entity';
import { WaitlistEntryEntity } from '../waitlist/entities/waitlist-entry.entity';
import { PurchasePolicy } from '../seats/purchase-policy';
import { SeatLedger } from '../seats/seat-ledger';
import { Outbox } from '../webhooks/outbox';
import { WebhookEventType } from '../webhooks/webhook-event-type';
import { toEventResponse } from './dto/event-response.dto';
import { CreateTicketTypeDto } from './dto/create-ticket-type.dto';
import { TicketTypeResponseDto, toTicketTypeResponse } from './dto/ticket-type-response.dto';
import { UpdateTicketTypeDto } from './dto/update-ticket-type.dto';
import { EventEntity } from './entities/event.entity';
import { TicketTypeEntity } from './entities/ticket-type.entity';
import { EventsService } from './events.service';

/** The most ticket types one event may have, its default included. */
export const MAX_TICKET_TYPES = 100;

/**
 * The ticket types of events: their names, prices and quotas. Their seats are counted by the
 * SeatLedger; every change here runs under the event's row lock, so it never races a sale. The
 * default type's price is the event's: changing one changes the other.
 */
@Injectable()
export class TicketTypesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly outbox: Outbox,
    private readonly policy: PurchasePolicy,
  ) {}

  /** The event's types, the default first, then by id; hidden ones only when `withHidden`. */
  async list(eventId: number, withHidden: boolean): Promise<TicketTypeResponseDto[]> {
    const types = await this.db.getRepository(TicketTypeEntity).find({
      where: { eventId },
      relations: { event: true },
      order: { isDefault: 'DESC', id: 'ASC' },
    });
    if (types.length === 0) throw AppError.notFound('Event', eventId);
    return types.filter((type) => withHidden || !type.hidden).map((type) => toTicketTypeResponse(type, type.event));
  }

  async create(eventId: number, { name, price, quota, hidden }: CreateTicketTypeDto): Promise<TicketTypeResponseDto> {
    this.policy.assertPrice(price);
    return this.db.transaction(async (em) => {
      const event = await this.seats.lock(em, eventId);
      if ((await em.countBy(TicketTypeEntity, { eventId })) >= MAX_TICKET_TYPES) {
        const message = `Event ${eventId} already has the most ticket types an event may have, ${MAX_TICKET_TYPES}`;
        throw AppError.validation([{ field: 'id', message }]);
      }
      const type = await em.save(
        em.create(TicketTypeEntity, { eventId, name, price, quota: quota ?? null, hidden: hidden ?? false }),
      );
      return toTicketTypeResponse(type, event);
    });
  }

  /**
   * Renames, reprices or changes the quota; a quota never goes below the type's seats sold and
   * held, and seats a raised quota frees go to the waiting list first. Repricing the default type
   * reprices the event, which records its `event.updated` webhook message.
   */
  async update(id: number, dto: UpdateTicketTypeDto): Promise<TicketTypeResponseDto> {
    this.policy.assertPrice(dto.price);
    const { type, event } = await this.db.transaction(async (em) => {
      const { type, event } = await this.locked(em, id);
      if (dto.quota !== undefined) this.seats.assertCapacity(type, dto.quota, 'Quota');
      if (dto.hidden && type.isDefault) {
        throw AppError.validation([{ field: 'hidden', message: "an event's default ticket type cannot be hidden" }]);
      }
      if (dto.price !== undefined && type.isDefault && dto.price !== event.price) {
        await em.update(EventEntity, { id: event.id }, { price: dto.price });
        const repriced = await em.findOneByOrFail(EventEntity, { id: event.id });
        await this.outbox.record(em, WebhookEventType.EventUpdated, [
          { resource: `event/${event.id}`, data: toEventResponse(repriced) },
        ]);
        event.price = dto.price;
      }
      const saved = await em.save(Object.assign(type, dto));
      if (dto.quota === undefined) return { type: saved, event };
      await this.seats.offerFreedSeats(em, event.id);
      return {
        type: await em.findOneByOrFail(TicketTypeEntity, { id }),
        event: await em.findOneByOrFail(EventEntity, { id: event.id }),
      };
    });
    this.events.changed(event.id);
    return toTicketTypeResponse(type, event);
  }

  /** Only a type nothing was ever booked, held or waited for as, and not the default, can be deleted. */
  async remove(id: number): Promise<void> {
    await this.db.transaction(async (em) => {
      const { type } = await this.locked(em, id);
      if (type.isDefault) throw inUse(id, "is its event's default");
      const usedBy = (entity: typeof BookingEntity | typeof HoldEntity | typeof WaitlistEntryEntity) =>
        em.existsBy(entity, { ticketTypeId: id });
      if ((await usedBy(BookingEntity)) || (await usedBy(HoldEntity)) || (await usedBy(WaitlistEntryEntity))) {
        throw inUse(id, 'has bookings, holds or waiting-list entries');
      }
      await em.delete(TicketTypeEntity, { id });
    });
  }

  /** The type as it is under its event's row lock, with the event. */
  private async locked(em: EntityManager, id: number): Promise<{ type: TicketTypeEntity; event: EventEntity }> {
    const found = await em.findOneBy(TicketTypeEntity, { id });
    if (!found) throw AppError.notFound('Ticket type', id);
    const event = await this.seats.lock(em, found.eventId);
    const type = await em.findOneBy(TicketTypeEntity, { id });
    if (!type) throw AppError.notFound('Ticket type', id);
    return { type, event };
  }
}

function inUse(id: number, why: string): AppError {
  return new AppError('TICKET_TYPE_IN_USE', `Ticket type ${id} ${why} and cannot be deleted`);
}
