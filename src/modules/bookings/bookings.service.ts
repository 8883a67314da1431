import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { APP_CONFIG } from '../../config/config.module';
import { isUniqueViolation } from '../../database/postgres-errors';
import { AppConfig } from '../../config/env';
import { EventStatus } from '../events/entities/event.entity';
import { EventsService } from '../events/events.service';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { TicketCodeGenerator } from '../tickets/ticket-code';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { assertOwnerOrAdmin } from '../users/owner-or-admin';
import { UsersService } from '../users/users.service';
import { BookRow } from '../seats/sale.statement';
import { SeatLedger } from '../seats/seat-ledger';
import { BookingResponseDto, toBookingResponse } from './dto/booking-response.dto';
import { CreateBookingDto } from './dto/create-booking.dto';
import { BookingEntity, BookingStatus } from './entities/booking.entity';
import { IdempotencyKeys } from '../idempotency/idempotency-keys.service';
import { Metrics } from '../../metrics/metrics.service';

/** Draws of ticket codes after a collision, and tries after a refusal that a cancellation made stale. */
const MAX_ATTEMPTS = 3;

@Injectable()
export class BookingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly codes: TicketCodeGenerator,
    private readonly users: UsersService,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Books in one statement (SeatLedger.sell): lock the event, check it is bookable and has
   * the seats, insert the booking and one ticket per seat, count the sale. Concurrent bookings
   * of one event queue on its row lock, so seats sold never exceed capacity.
   *
   * With an idempotency key the statement runs in a transaction that first claims the key, and
   * the response is remembered in it: a retry gets the remembered response, never a second booking.
   */
  async create(dto: CreateBookingDto, caller: UserEntity, idempotencyKey?: string): Promise<BookingResponseDto> {
    const maxQuantity = this.config.bookings.maxQuantity;
    if (dto.quantity > maxQuantity) {
      throw AppError.validation([{ field: 'quantity', message: `quantity must not be greater than ${maxQuantity}` }]);
    }
    const request = { user_id: dto.user_id ?? caller.id, event_id: dto.event_id, quantity: dto.quantity };
    if (request.user_id !== caller.id) {
      if (caller.role !== UserRole.Admin) throw AppError.forbidden('Only an admin may book for another user');
      if (!(await this.users.findById(request.user_id))) throw AppError.notFound('User', request.user_id);
    }
    const booking = await (idempotencyKey === undefined
      ? this.retrying((last) => this.book(this.db.manager, request, last))
      : this.retrying((last) =>
          this.idempotencyKeys.once(caller.id, idempotencyKey, 'POST /bookings', request, (em) =>
            this.book(em, request, last),
          ),
        ));
    this.events.changed(request.event_id);
    return booking;
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

  /** The booking SeatLedger.sell just made: confirmed, with active tickets. */
  private booked({ user_id: userId, event_id: eventId, quantity }: BookingRequest, row: BookRow): BookingEntity {
    const at = row.booking_date;
    const booking = this.db.getRepository(BookingEntity).create({
      id: row.id,
      userId,
      eventId,
      quantity,
      totalAmount: row.total_amount,
      bookingDate: at,
      status: BookingStatus.Confirmed,
      createdAt: at,
      updatedAt: at,
    });
    booking.tickets = row.ticket_ids.map((id, i) =>
      this.db.getRepository(TicketEntity).create({
        id,
        bookingId: booking.id,
        ticketCode: row.ticket_codes[i],
        status: TicketStatus.Active,
        usedAt: null,
        createdAt: at,
        updatedAt: at,
      }),
    );
    return booking;
  }

  /** Runs `attempt` again after a ticket code collision or a refusal that a cancellation made stale. */
  private async retrying<T>(attempt: (last: boolean) => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt(n === MAX_ATTEMPTS);
      } catch (error) {
        const again = isUniqueViolation(error, 'tickets') || error instanceof SeatsFreed;
        if (!again || n === MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Sells with freshly drawn ticket codes. A refusal is explained from the event as it is now;
   * if a cancellation has freed the seats in between, SeatsFreed asks for another attempt,
   * unless this is the `last` one.
   */
  private async book(em: EntityManager, request: BookingRequest, last: boolean): Promise<BookingResponseDto> {
    const { user_id: userId, event_id: eventId, quantity } = request;
    const suffixes = Array.from({ length: quantity }, () => this.codes.suffix());
    const row = await this.seats.sell(em, { eventId, userId, quantity, suffixes });
    if (row) {
      this.metrics.bookingsCreated.inc();
      return toBookingResponse(this.booked(request, row));
    }
    const refusal = await this.refusal(em, request, last);
    this.metrics.bookingsRejected.inc({ code: refusal.code });
    throw refusal;
  }

  /** Why the event refused the booking, read as it is now; throws SeatsFreed when it no longer does. */
  private async refusal(
    em: EntityManager,
    { event_id: eventId, quantity }: BookingRequest,
    last: boolean,
  ): Promise<AppError> {
    const event = await this.seats.refusal(em, eventId);
    if (!event) return AppError.notFound('Event', eventId);
    if (!event.open) {
      const reason = event.status === EventStatus.Active ? 'has already started' : `is ${event.status}`;
      return new AppError('EVENT_NOT_BOOKABLE', `Event ${eventId} ${reason}`);
    }
    if (event.available >= quantity && !last) throw new SeatsFreed();
    return new AppError(
      'INSUFFICIENT_TICKETS',
      `Not enough tickets: ${quantity} requested, ${event.available} available`,
    );
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

interface BookingRequest {
  user_id: number;
  event_id: number;
  quantity: number;
}

/** A refusal was out of date: the seats are there now. */
class SeatsFreed extends Error {}
