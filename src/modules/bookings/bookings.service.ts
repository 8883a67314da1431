import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { EventsService } from '../events/events.service';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { TicketsService } from '../tickets/tickets.service';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { CreateBookingDto } from './dto/create-booking.dto';
import { BookingEntity, BookingStatus } from './entities/booking.entity';

@Injectable()
export class BookingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly tickets: TicketsService,
    private readonly users: UsersService,
  ) {}

  /**
   * Books in one transaction: lock the event, check it is bookable and has the seats,
   * insert the booking and one ticket per seat, count the sale. Concurrent bookings of one
   * event queue on its row lock, so seats sold never exceed capacity.
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
    return this.db.transaction(async (em) => {
      const totalAmount = await this.events.reserve(em, dto.event_id, dto.quantity);
      const booking = await em.save(
        em.create(BookingEntity, { userId, eventId: dto.event_id, quantity: dto.quantity, totalAmount }),
      );
      booking.tickets = await this.tickets.issue(em, booking.id, booking.bookingDate, dto.quantity);
      return booking;
    });
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
