import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { isUniqueViolation } from '../../database/postgres-errors';
import { BookingsService, Purchase, toSale } from '../bookings/bookings.service';
import { BookingResponseDto, toBookingResponse } from '../bookings/dto/booking-response.dto';
import { CreateBookingDto } from '../bookings/dto/create-booking.dto';
import { EventsService } from '../events/events.service';
import { IdempotencyKeys, keyedRequest } from '../idempotency/idempotency-keys.service';
import { SaleBatcher } from '../seats/sale-batcher';
import { holdNotActive, retryingSale, SeatLedger, TryAgain } from '../seats/seat-ledger';
import { UserEntity } from '../users/entities/user.entity';
import { assertOwnerOrAdmin } from '../users/owner-or-admin';
import { HoldResponseDto, toHoldResponse } from './dto/hold-response.dto';
import { HoldEntity, HoldStatus, isDue } from './entities/hold.entity';

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bookings: BookingsService,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly batcher: SaleBatcher,
    private readonly idempotencyKeys: IdempotencyKeys,
  ) {}

  /**
   * Holds seats in one statement (SeatLedger.hold), with the same checks and refusals as a
   * booking; a user's second active hold for the same event is refused by the database. Holds
   * of one event that arrive together in this process go in one statement (SaleBatcher).
   */
  async create(dto: CreateBookingDto, caller: UserEntity, idempotencyKey?: string): Promise<HoldResponseDto> {
    const purchase = await this.bookings.purchase(dto, caller);
    const keyed = keyedRequest(caller.id, idempotencyKey, 'POST /holds', purchase);
    const alone = () =>
      retryingSale(async (last) => {
        try {
          return await this.idempotencyKeys.once(keyed, (em) => this.hold(em, purchase, last));
        } catch (error) {
          if (isUniqueViolation(error, 'holds')) throw await this.holdExists(purchase, last);
          throw error;
        }
      });
    const hold = await this.batcher.hold(
      toSale(purchase),
      alone,
      (outcome) => {
        if (outcome instanceof AppError) throw outcome;
        return toHoldResponse(outcome);
      },
      keyed,
    );
    this.events.changed(purchase.event_id);
    return hold;
  }

  async get(id: number, caller: UserEntity): Promise<HoldEntity> {
    const hold = await this.db.getRepository(HoldEntity).findOneBy({ id });
    if (!hold) throw AppError.notFound('Hold', id);
    assertOwnerOrAdmin(caller, hold.userId);
    return hold;
  }

  /**
   * Turns the hold into a booking with its tickets, once, in one statement (SeatLedger.confirm):
   * a confirmed hold answers with the booking it made. An expired hold is confirmed only if its
   * seats can be taken again now.
   */
  async confirm(id: number, caller: UserEntity): Promise<Confirmation> {
    const hold = await this.get(id, caller);
    if (hold.status === HoldStatus.Released) throw holdNotActive(id, hold.status);
    const alone = () => retryingSale((last) => this.seats.confirm(this.db.manager, hold, last));
    const booking =
      hold.status === HoldStatus.Confirmed ? undefined : await this.batcher.confirm(hold, alone, (made) => made);
    if (!booking) {
      const confirmed = hold.status === HoldStatus.Confirmed ? hold : await this.get(id, caller);
      return { booking: await this.bookingOf(confirmed, caller), created: false };
    }
    this.events.changed(hold.eventId);
    return { booking: toBookingResponse(booking), created: true };
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

  private async hold(em: EntityManager, purchase: Purchase, last: boolean): Promise<HoldResponseDto> {
    const sale = toSale(purchase);
    const hold = await this.seats.hold(em, sale, this.config.holds.ttlSeconds, last);
    if (!hold) throw await this.seats.refusal(em, sale, last);
    return toHoldResponse(hold);
  }

  /**
   * Why the database refused a second active hold: the user's hold, named. One whose time is up
   * is expired first and the hold tried again (TryAgain), as is one released in between.
   */
  private async holdExists({ user_id: userId, event_id: eventId }: Purchase, last: boolean): Promise<Error> {
    const active = await this.db
      .getRepository(HoldEntity)
      .findOneBy({ userId, eventId, status: HoldStatus.Active, offer: false });
    if (!last && active && isDue(active)) await this.db.transaction((em) => this.seats.expireDue(em, eventId));
    if (!last && (!active || isDue(active))) return new TryAgain();
    const which = active ? `hold ${active.id}` : 'a hold';
    return new AppError('HOLD_EXISTS', `User ${userId} already has ${which} active for event ${eventId}`);
  }

  /** The booking a confirmed hold made (chk_holds_booking: a confirmed hold has one). */
  private async bookingOf({ id, bookingId }: HoldEntity, caller: UserEntity): Promise<BookingResponseDto> {
    if (bookingId === null) throw new Error(`Confirmed hold ${id} has no booking`);
    return toBookingResponse(await this.bookings.get(bookingId, caller));
  }

  /** Locks the hold's event, then the hold, and returns the hold as it is now. */
  private async locked(em: EntityManager, hold: HoldEntity): Promise<HoldEntity> {
    await this.seats.lock(em, hold.eventId);
    return em.findOneOrFail(HoldEntity, { where: { id: hold.id }, lock: { mode: 'pessimistic_write' } });
  }
}
