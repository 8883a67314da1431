import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { APP_CONFIG } from '../../config/config.module';
import { isUniqueViolation } from '../../database/postgres-errors';
import { AppConfig } from '../../config/env';
import { EventStatus } from '../events/entities/event.entity';
import { EventsService } from '../events/events.service';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { TicketCodeGenerator } from '../tickets/ticket-code';
import { TicketsService } from '../tickets/tickets.service';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { BOOK_STATEMENT, BookRow, SALE_REFUSAL_QUERY, SaleRefusalRow } from './book.statement';
import { CreateBookingDto } from './dto/create-booking.dto';
import { BookingEntity, BookingStatus } from './entities/booking.entity';

/** Draws of ticket codes after a collision, and tries after a refusal that a cancellation made stale. */
const MAX_ATTEMPTS = 3;

@Injectable()
export class BookingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly tickets: TicketsService,
    private readonly codes: TicketCodeGenerator,
    private readonly users: UsersService,
  ) {}

  /**
   * Books in one statement (see BOOK_STATEMENT): lock the event, check it is bookable and has
   * the seats, insert the booking and one ticket per seat, count the sale. Concurrent bookings
   * of one event queue on its row lock, so seats sold never exceed capacity.
   */
  async create(dto: CreateBookingDto, caller: UserEntity): Promise<BookingEntity> {
    const maxQuantity = this.config.bookings.maxQuantity;
    if (dto.quantity > maxQuantity) {
      throw AppError.validation([{ field: 'quantity', message: `quantity must not be greater than ${maxQuantity}` }]);
    }
    const userId = dto.user_id ?? caller.id;
    if (userId !== caller.id) {
      if (caller.role !== UserRole.Admin) throw AppError.forbidden('Only an admin may book for another user');
      if (!(await this.users.findById(userId))) throw AppError.notFound('User', userId);
    }
    const row = await this.book(dto.event_id, userId, dto.quantity);
    const bookingDate = row.booking_date;
    const booking = this.db.getRepository(BookingEntity).create({
      id: row.id,
      userId,
      eventId: dto.event_id,
      quantity: dto.quantity,
      totalAmount: row.total_amount,
      bookingDate,
      status: BookingStatus.Confirmed,
      createdAt: bookingDate,
      updatedAt: bookingDate,
    });
    booking.tickets = row.ticket_ids.map((id, i) =>
      this.db.getRepository(TicketEntity).create({
        id,
        bookingId: booking.id,
        ticketCode: row.ticket_codes[i],
        status: TicketStatus.Active,
        usedAt: null,
        createdAt: bookingDate,
        updatedAt: bookingDate,
      }),
    );
    return booking;
  }

  async get(id: number, caller: UserEntity): Promise<BookingEntity> {
    const booking = await this.db
      .getRepository(BookingEntity)
      .findOne({ where: { id }, relations: { tickets: true }, order: { tickets: { id: 'ASC' } } });
    if (!booking) throw AppError.notFound('Booking', id);
    assertOwnerOrAdmin(booking, caller);
    return booking;
  }

  async listForUser(userId: number, page: PaginationQueryDto, caller: UserEntity): Promise<Page<BookingEntity>> {
    if (userId !== caller.id && caller.role !== UserRole.Admin) throw AppError.forbidden();
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
      await this.events.lock(em, current.eventId);
      const booking = await em.findOneOrFail(BookingEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (booking.status === BookingStatus.Cancelled) return;
      if (await em.existsBy(TicketEntity, { bookingId: id, status: TicketStatus.Used })) {
        throw new AppError(
          'INVALID_STATUS_TRANSITION',
          `Booking ${id} has a checked-in ticket and cannot be cancelled`,
        );
      }
      await em.update(BookingEntity, { id }, { status: BookingStatus.Cancelled });
      await this.tickets.cancelForBooking(em, id);
      await this.events.release(em, booking.eventId, booking.quantity, booking.totalAmount);
    });
    return this.get(id, caller);
  }

  /**
   * Runs BOOK_STATEMENT. A ticket code that collides with an existing one is drawn again; a
   * refusal is explained from the event as it is now, and tried again if a cancellation has
   * freed the seats in between.
   */
  private async book(eventId: number, userId: number, quantity: number): Promise<BookRow> {
    for (let attempt = 1; ; attempt++) {
      const suffixes = Array.from({ length: quantity }, () => this.codes.suffix());
      try {
        const [row]: BookRow[] = await this.db.query(BOOK_STATEMENT, [eventId, userId, quantity, suffixes]);
        if (row) return row;
      } catch (error) {
        if (!isUniqueViolation(error, 'tickets') || attempt === MAX_ATTEMPTS) throw error;
        continue;
      }
      const [event]: SaleRefusalRow[] = await this.db.query(SALE_REFUSAL_QUERY, [eventId]);
      if (!event) throw AppError.notFound('Event', eventId);
      if (!event.open) {
        const reason = event.status === EventStatus.Active ? 'has already started' : `is ${event.status}`;
        throw new AppError('EVENT_NOT_BOOKABLE', `Event ${eventId} ${reason}`);
      }
      if (event.available < quantity || attempt === MAX_ATTEMPTS) {
        throw new AppError(
          'INSUFFICIENT_TICKETS',
          `Not enough tickets: ${quantity} requested, ${event.available} available`,
        );
      }
    }
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

function assertOwnerOrAdmin(booking: BookingEntity, caller: UserEntity): void {
  if (booking.userId !== caller.id && caller.role !== UserRole.Admin) throw AppError.forbidden();
}
