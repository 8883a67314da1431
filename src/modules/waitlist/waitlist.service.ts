import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { isUniqueViolation } from '../../database/postgres-errors';
import { Metrics } from '../../metrics/metrics.service';
import { EventsService } from '../events/events.service';
import { HoldEntity } from '../holds/entities/hold.entity';
import { PurchasePolicy } from '../seats/purchase-policy';
import { SeatLedger } from '../seats/seat-ledger';
import { UserEntity } from '../users/entities/user.entity';
import { assertOwnerOrAdmin } from '../users/owner-or-admin';
import { UsersService } from '../users/users.service';
import { JoinWaitlistDto } from './dto/join-waitlist.dto';
import { WaitlistEntryResponseDto } from './dto/waitlist-entry-response.dto';
import { WaitlistEntryEntity, WaitlistStatus } from './entities/waitlist-entry.entity';
import { ENTRY_QUERY, EVENT_ENTRIES_QUERY, USER_ENTRIES_QUERY } from './waitlist.queries';

/**
 * Waiting lists: a user waits for seats of one ticket type of a sold-out event; the SeatLedger
 * offers freed seats to the waiting entries, in order of arrival, as holds (see
 * SeatLedger.offerFreedSeats). Every change runs under the event's row lock.
 */
@Injectable()
export class WaitlistService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly policy: PurchasePolicy,
    private readonly users: UsersService,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Puts the caller on the event's waiting list, only while the tickets cannot be booked now
   * (holds whose time is up are expired first, and their seats offered to those already waiting).
   */
  async join(eventId: number, dto: JoinWaitlistDto, caller: UserEntity): Promise<WaitlistEntryResponseDto> {
    this.policy.assertQuantity(dto.quantity);
    let id: number;
    try {
      id = await this.db.transaction(async (em) => {
        await this.seats.expireDue(em, eventId);
        const { ticketTypeId, available } = await this.seats.seatsLeft(em, eventId, dto.ticket_type_id);
        if (available >= dto.quantity) {
          throw new AppError('TICKETS_AVAILABLE', `${available} tickets can be booked now; book them instead`);
        }
        const entry = em.create(WaitlistEntryEntity, {
          eventId,
          ticketTypeId,
          userId: caller.id,
          quantity: dto.quantity,
        });
        return (await em.save(entry)).id;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'waitlist_entries')) throw await this.alreadyWaiting(eventId, caller.id);
      throw error;
    }
    this.metrics.waitlistEntries.inc();
    this.events.changed(eventId);
    return this.read(id);
  }

  async get(id: number, caller: UserEntity): Promise<WaitlistEntryResponseDto> {
    const entry = await this.read(id);
    assertOwnerOrAdmin(caller, entry.user_id);
    return entry;
  }

  async listForEvent(eventId: number, page: PaginationQueryDto): Promise<Page<WaitlistEntryResponseDto>> {
    await this.events.get(eventId);
    return this.page(EVENT_ENTRIES_QUERY, { eventId }, eventId, page);
  }

  async listForUser(
    userId: number,
    page: PaginationQueryDto,
    caller: UserEntity,
  ): Promise<Page<WaitlistEntryResponseDto>> {
    assertOwnerOrAdmin(caller, userId);
    if (!(await this.users.findById(userId))) throw AppError.notFound('User', userId);
    return this.page(USER_ENTRIES_QUERY, { userId }, userId, page);
  }

  /** Takes the entry off the list; an open offer is released and its seats passed on. Leaving an ended entry changes nothing. */
  async leave(id: number, caller: UserEntity): Promise<WaitlistEntryResponseDto> {
    const { event_id: eventId } = await this.get(id, caller);
    await this.db.transaction(async (em) => {
      await this.seats.lock(em, eventId);
      const entry = await em.findOneOrFail(WaitlistEntryEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (entry.status !== WaitlistStatus.Waiting && entry.status !== WaitlistStatus.Offered) return;
      await em.update(WaitlistEntryEntity, { id }, { status: WaitlistStatus.Left });
      if (entry.holdId === null) return;
      const offer = await em.findOneOrFail(HoldEntity, {
        where: { id: entry.holdId },
        lock: { mode: 'pessimistic_write' },
      });
      await this.seats.release(em, offer);
    });
    this.events.changed(eventId);
    return this.read(id);
  }

  private async read(id: number): Promise<WaitlistEntryResponseDto> {
    const [entry]: WaitlistEntryResponseDto[] = await this.db.query(ENTRY_QUERY, [id]);
    if (!entry) throw AppError.notFound('Waiting list entry', id);
    return entry;
  }

  private async page(
    query: string,
    where: { eventId: number } | { userId: number },
    id: number,
    { limit, offset }: PaginationQueryDto,
  ): Promise<Page<WaitlistEntryResponseDto>> {
    const [items, total] = await Promise.all([
      this.db.query<WaitlistEntryResponseDto[]>(query, [id, limit, offset]),
      this.db.getRepository(WaitlistEntryEntity).countBy(where),
    ]);
    return { items, total };
  }

  /** Why the database refused a second open entry: the user's entry, named. */
  private async alreadyWaiting(eventId: number, userId: number): Promise<AppError> {
    const open = await this.db.getRepository(WaitlistEntryEntity).findOneBy([
      { eventId, userId, status: WaitlistStatus.Waiting },
      { eventId, userId, status: WaitlistStatus.Offered },
    ]);
    const which = open ? `entry ${open.id}` : 'an entry';
    return new AppError(
      'ALREADY_WAITING',
      `User ${userId} already has ${which} open on the waiting list of event ${eventId}`,
    );
  }
}
