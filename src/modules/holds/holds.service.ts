import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { BookingResponseDto, toBookingResponse } from '../bookings/dto/booking-response.dto';
import { BookingEntity } from '../bookings/entities/booking.entity';
import { CreateBookingDto } from '../bookings/dto/create-booking.dto';
import { EventsService } from '../events/events.service';
import { keyedRequest } from '../idempotency/idempotency-keys.service';
import { SaleBatcher } from '../seats/sale-batcher';
import { PurchasePolicy, purchaseOf } from '../seats/purchase-policy';
import { CONFIRMED_BEFORE, holdNotActive, SeatLedger } from '../seats/seat-ledger';
import { UserEntity } from '../users/entities/user.entity';
import { assertOwnerOrAdmin } from '../users/owner-or-admin';
import { HoldResponseDto, toHoldResponse } from './dto/hold-response.dto';
import { HoldEntity, HoldStatus } from './entities/hold.entity';

/** A confirmation's booking; `created` is false when the hold had been confirmed before. */
export interface Confirmation {
  booking: BookingResponseDto;
  created: boolean;
}

/**
 * Checkout holds: seats kept for one buyer for HOLD_TTL_SECONDS, then confirmed into a booking,
 * released, or expired. Every change of their seats goes through the SeatLedger, under the
 * event's row lock, the event locked before the hold.
 */
@Injectable()
export class HoldsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly batcher: SaleBatcher,
    private readonly policy: PurchasePolicy,
  ) {}

  /**
   * Holds seats in one statement (SeatLedger.hold), with the same checks and refusals as a
   * booking; a user's second active hold for the same event is refused by the database. Holds
   * of one event that arrive together in this process go in one statement (SaleBatcher).
   */
  async create(dto: CreateBookingDto, caller: UserEntity, idempotencyKey?: string): Promise<HoldResponseDto> {
    const { ticket_type_id: ticketTypeId, quantity } = dto;
    const sale = await this.policy.sale({ ...dto, lines: [{ ticketTypeId, quantity }] }, caller);
    const keyed = keyedRequest(caller.id, idempotencyKey, 'POST /holds', purchaseOf(sale));
    const hold = await this.batcher.hold(
      sale,
      (outcome) => {
        if (outcome instanceof AppError) throw outcome;
        return toHoldResponse(outcome.holds[0]);
      },
      keyed,
    );
    this.events.changed(sale.eventId);
    return hold;
  }

  async get(id: number, caller: UserEntity): Promise<HoldEntity> {
    const hold = await this.db.getRepository(HoldEntity).findOneBy({ id, orderId: IsNull() });
    if (!hold) throw AppError.notFound('Hold', id);
    assertOwnerOrAdmin(caller, hold.userId);
    return hold;
  }

  /**
   * Turns the hold into a booking with its tickets, once, in one statement (SeatLedger.confirm):
   * a confirmed hold answers with the booking it made. An expired hold is confirmed only if its
   * seats can be taken again now. With a payment provider, a customer's priced hold is not
   * confirmed (409 PAYMENT_REQUIRED).
   */
  async confirm(id: number, caller: UserEntity): Promise<Confirmation> {
    const hold = await this.get(id, caller);
    if (hold.status === HoldStatus.Released) throw holdNotActive(id, hold.status);
    if (hold.status !== HoldStatus.Confirmed) this.policy.assertPaid(caller, hold.totalAmount !== '0.00');
    const outcome =
      hold.status === HoldStatus.Confirmed
        ? CONFIRMED_BEFORE
        : await this.batcher.confirm([hold], (made) => {
            if (made instanceof AppError) throw made;
            return made;
          });
    if (outcome === CONFIRMED_BEFORE) {
      const confirmed = hold.status === HoldStatus.Confirmed ? hold : await this.get(id, caller);
      return { booking: await this.bookingOf(confirmed), created: false };
    }
    this.events.changed(hold.eventId);
    return { booking: toBookingResponse(outcome.bookings[0]), created: true };
  }

  /** Frees the hold's seats; releasing an ended hold changes nothing, a confirmed one is refused. */
  async release(id: number, caller: UserEntity): Promise<HoldEntity> {
    const hold = await this.get(id, caller);
    if (hold.status === HoldStatus.Confirmed) throw holdNotActive(id, hold.status);
    if (hold.status !== HoldStatus.Active) return hold;
    await this.db.transaction(async (em) => {
      const current = await this.locked(em, hold);
      if (current.status === HoldStatus.Confirmed) throw holdNotActive(id, current.status);
      if (current.status === HoldStatus.Active) await this.seats.release(em, current);
    });
    this.events.changed(hold.eventId);
    return this.get(id, caller);
  }

  /** The booking a confirmed hold made (chk_holds_booking: a confirmed hold has one). */
  private async bookingOf({ id, bookingId }: HoldEntity): Promise<BookingResponseDto> {
    if (bookingId === null) throw new Error(`Confirmed hold ${id} has no booking`);
    const booking = await this.db
      .getRepository(BookingEntity)
      .findOneOrFail({ where: { id: bookingId }, relations: { tickets: true }, order: { tickets: { id: 'ASC' } } });
    return toBookingResponse(booking);
  }

  /** Locks the hold's event, then the hold, and returns the hold as it is now. */
  private async locked(em: EntityManager, hold: HoldEntity): Promise<HoldEntity> {
    await this.seats.lock(em, hold.eventId);
    return em.findOneOrFail(HoldEntity, { where: { id: hold.id }, lock: { mode: 'pessimistic_write' } });
  }
}
