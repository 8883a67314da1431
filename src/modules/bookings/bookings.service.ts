import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { EventsService } from '../events/events.service';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { assertOwnerOrAdmin } from '../users/owner-or-admin';
import { UsersService } from '../users/users.service';
import { SaleBatcher } from '../seats/sale-batcher';
import { PurchasePolicy, purchaseOf } from '../seats/purchase-policy';
import { SeatLedger } from '../seats/seat-ledger';
import { BookingResponseDto, toBookingResponse } from './dto/booking-response.dto';
import { CreateBookingDto } from './dto/create-booking.dto';
import { BookingEntity, BookingStatus } from './entities/booking.entity';
import { keyedRequest } from '../idempotency/idempotency-keys.service';
import { Metrics } from '../../metrics/metrics.service';

@Injectable()
export class BookingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly batcher: SaleBatcher,
    private readonly policy: PurchasePolicy,
    private readonly users: UsersService,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Books in one statement (SeatLedger.sell): lock the event and the ticket type, check they
   * have the seats, insert the booking and one ticket per seat, count the sale. Concurrent
   * bookings of one event queue on its row lock, so seats sold never exceed capacity; those that
   * arrive together in this process go in one statement (SaleBatcher).
   *
   * With an idempotency key the statement runs in a transaction that first claims the key, and
   * the response is remembered in it: a retry gets the remembered response, never a second booking.
   */
  async create(dto: CreateBookingDto, caller: UserEntity, idempotencyKey?: string): Promise<BookingResponseDto> {
    const { ticket_type_id: ticketTypeId, quantity } = dto;
    const sale = await this.policy.sale({ ...dto, lines: [{ ticketTypeId, quantity }] }, caller);
    const keyed = keyedRequest(caller.id, idempotencyKey, 'POST /bookings', purchaseOf(sale));
    const booking = await this.batcher.sell(sale, (outcome) => this.answer(outcome), keyed);
    this.events.changed(sale.eventId);
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
      const event = await this.seats.lock(em, current.eventId);
      if (current.orderId !== null && caller.role !== UserRole.Admin) {
        this.policy.assertRefundable(`Booking ${id}`, event);
      }
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
