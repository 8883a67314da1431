import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { EventsService } from '../events/events.service';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { assertOwnerOrAdmin } from '../users/owner-or-admin';
import { UsersService } from '../users/users.service';
import { SaleBatcher } from '../seats/sale-batcher';
import { retryingSale, Sale, SeatLedger } from '../seats/seat-ledger';
import { BookingResponseDto, toBookingResponse } from './dto/booking-response.dto';
import { CreateBookingDto } from './dto/create-booking.dto';
import { BookingEntity, BookingStatus } from './entities/booking.entity';
import { IdempotencyKeys, keyedRequest } from '../idempotency/idempotency-keys.service';
import { Metrics } from '../../metrics/metrics.service';

@Injectable()
export class BookingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly batcher: SaleBatcher,
    private readonly users: UsersService,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Books in one statement (SeatLedger.sell): lock the event, check it and the ticket type have
   * the seats, insert the booking and one ticket per seat, count the sale. Concurrent bookings
   * of one event queue on its row lock, so seats sold never exceed capacity; those that arrive
   * together in this process go in one statement (SaleBatcher).
   *
   * With an idempotency key the statement runs in a transaction that first claims the key, and
   * the response is remembered in it: a retry gets the remembered response, never a second booking.
   */
  async create(dto: CreateBookingDto, caller: UserEntity, idempotencyKey?: string): Promise<BookingResponseDto> {
    const purchase = await this.purchase(dto, caller);
    const keyed = keyedRequest(caller.id, idempotencyKey, 'POST /bookings', purchase);
    const booking = await this.batcher.sell(
      toSale(purchase),
      () => retryingSale((last) => this.idempotencyKeys.once(keyed, (em) => this.book(em, purchase, last))),
      (outcome) => this.answer(outcome),
      keyed,
    );
    this.events.changed(purchase.event_id);
    return booking;
  }

  /**
   * The checks a booking and a hold share: at most the per-booking maximum of seats, for the
   * caller, or (admin only) for another user who exists.
   */
  async purchase(dto: CreateBookingDto, caller: UserEntity): Promise<Purchase> {
    const maxQuantity = this.config.bookings.maxQuantity;
    if (dto.quantity > maxQuantity) {
      throw AppError.validation([{ field: 'quantity', message: `quantity must not be greater than ${maxQuantity}` }]);
    }
    const purchase: Purchase = {
      user_id: dto.user_id ?? caller.id,
      event_id: dto.event_id,
      ticket_type_id: dto.ticket_type_id,
      quantity: dto.quantity,
    };
    if (purchase.user_id !== caller.id) {
      if (caller.role !== UserRole.Admin) throw AppError.forbidden('Only an admin may book for another user');
      if (!(await this.users.findById(purchase.user_id))) throw AppError.notFound('User', purchase.user_id);
    }
    return purchase;
  }

  async get(id: number, caller: UserEntity): Promise<BookingEntity> {
    const booking = await this.db
      .getRepository(BookingEntity)
      .findOne({ where: { id }, relations: { tickets: true }, order: { tickets: { id: 'ASC' } } });
    if (!booking) throw AppError.notFound('Booking', id);
    assertOwnerOrAdmin(caller, booking.userId);
    return booking;
  }

  async listForUser(userId: number, page: PaginationQueryDto, caller: UserEntity): Promise<Page<BookingEntity>> {
    assertOwnerOrAdmin(caller, userId);
    if (!(await this.users.findById(userId))) throw AppError.notFound('User', userId);
    return this.list({ userId }, page);
  }

  async listForEvent(eventId: number, page: PaginationQueryDto): Promise<Page<BookingEntity>> {
    await this.events.get(eventId);
    return this.list({ eventId }, page);
  }

  /**
   * Cancels a confirmed booking (its tickets, its seats back to the event) under the event's
   * lock; cancelling again changes nothing; a cancelled booking cannot be confirmed again.
   */
  async updateStatus(id: number, status: BookingStatus, caller: UserEntity): Promise<BookingEntity> {
    const current = await this.get(id, caller);
    if (status === current.status) return current;
    if (status === BookingStatus.Confirmed) {
      throw new AppError('INVALID_STATUS_TRANSITION', `Booking ${id} is cancelled and cannot be confirmed again`);
    }
    await this.db.transaction(async (em) => {
      await this.seats.lock(em, current.eventId);
      const booking = await em.findOneOrFail(BookingEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (booking.status === BookingStatus.Cancelled) return;
      if (await em.existsBy(TicketEntity, { bookingId: id, status: TicketStatus.Used })) {
        throw new AppError(
          'INVALID_STATUS_TRANSITION',
          `Booking ${id} has a checked-in ticket and cannot be cancelled`,
        );
      }
      await this.seats.cancelBooking(em, booking);
    });
    this.events.changed(current.eventId);
    return this.get(id, caller);
  }

  /**
   * Sells with freshly drawn ticket codes. A refusal is explained from the event as it is now
   * (SeatLedger.refusal), which asks for another attempt when the seats are there by then.
   */
  private async book(em: EntityManager, purchase: Purchase, last: boolean): Promise<BookingResponseDto> {
    const sale = toSale(purchase);
    const booking = await this.seats.sell(em, sale, last);
    return this.answer(booking ?? (await this.seats.refusal(em, sale, last)));
  }

  /** A sale's booking, counted, or its refusal, counted and thrown. */
  private answer(outcome: BookingEntity | AppError): BookingResponseDto {
    if (outcome instanceof AppError) {
      this.metrics.bookingsRejected.inc({ code: outcome.code });
      throw outcome;
    }
    this.metrics.bookingsCreated.inc();
    return toBookingResponse(outcome);
  }

  /**
   * Newest first, with user, event and tickets in three queries: the page with its user and
   * event (many-to-one joins, so LIMIT counts bookings), the count, and the page's tickets.
   */
  private async list(where: { userId: number } | { eventId: number }, { limit, offset }: PaginationQueryDto) {
    const bookings = this.db.getRepository(BookingEntity);
    const [items, total] = await Promise.all([
      bookings
        .createQueryBuilder('booking')
        .innerJoinAndSelect('booking.user', 'user')
        .innerJoinAndSelect('booking.event', 'event')
        .where(where)
        .orderBy({ 'booking.bookingDate': 'DESC', 'booking.id': 'DESC' })
        .limit(limit)
        .offset(offset)
        .getMany(),
      bookings.countBy(where),
    ]);
    const tickets = await this.db
      .getRepository(TicketEntity)
      .find({ where: { bookingId: In(items.map((b) => b.id)) }, order: { id: 'ASC' } });
    for (const booking of items) booking.tickets = tickets.filter((ticket) => ticket.bookingId === booking.id);
    return { items, total };
  }
}

/** Who buys how many seats of which event (and ticket type), checked by `BookingsService.purchase`. */
export interface Purchase {
  user_id: number;
  event_id: number;
  ticket_type_id?: number;
  quantity: number;
}

export function toSale({ user_id, event_id, ticket_type_id, quantity }: Purchase): Sale {
  return { userId: user_id, eventId: event_id, ticketTypeId: ticket_type_id, quantity };
}
