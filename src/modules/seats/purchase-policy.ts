import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { EventEntity, EventStatus } from '../events/entities/event.entity';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { Line, Sale } from './seat-ledger';

/** What a buyer asks for: a booking's, a hold's or an order's fields. */
export interface Asked {
  event_id: number;
  user_id?: number;
  lines: Line[];
}

/**
 * Who may buy what, before any seat is counted: at most the per-booking maximum of seats
 * (BOOKING_MAX_QUANTITY) in one purchase, each ticket type at most once, for the caller, or (an
 * admin only) for another user who exists. The seats themselves are the SeatLedger's to decide.
 */
@Injectable()
export class PurchasePolicy {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The sale `caller` may ask for, or why not (400, 403, 404). `field` names the quantity's field in errors. */
  async sale({ event_id, user_id, lines }: Asked, caller: UserEntity, field = 'quantity'): Promise<Sale> {
    const quantity = lines.reduce((sum, line) => sum + line.quantity, 0);
    if (field === 'lines' && quantity > this.config.bookings.maxQuantity) {
      const message = `the lines' quantities must add up to at most ${this.config.bookings.maxQuantity}`;
      throw AppError.validation([{ field, message }]);
    }
    this.assertQuantity(quantity);
    const types = lines.map((line) => line.ticketTypeId ?? 'default');
    const repeated = types.find((type, i) => types.indexOf(type) !== i);
    if (repeated !== undefined) {
      const message = `each line must be of another ticket type; ${repeated === 'default' ? 'the default type' : `ticket type ${repeated}`} is there twice`;
      throw AppError.validation([{ field: 'lines', message }]);
    }
    const userId = user_id ?? caller.id;
    if (userId !== caller.id) {
      if (caller.role !== UserRole.Admin) throw AppError.forbidden('Only an admin may book for another user');
      if (!(await this.db.getRepository(UserEntity).existsBy({ id: userId }))) throw AppError.notFound('User', userId);
    }
    return { eventId: event_id, userId, lines };
  }

  /**
   * A customer may cancel (and be refunded) a paid order or a booking of one only while its event
   * is active and more than REFUND_CUTOFF_SECONDS ahead; `what` names it in the refusal.
   */
  assertRefundable(what: string, event: EventEntity): void {
    const cutoff = event.dateTime.getTime() - this.config.orders.refundCutoffSeconds * 1000;
    if (event.status !== EventStatus.Active || Date.now() >= cutoff) {
      const seconds = this.config.orders.refundCutoffSeconds;
      throw new AppError(
        'REFUND_NOT_ALLOWED',
        `${what} can no longer be cancelled and refunded by its buyer: refunds stop ${seconds} s before the event`,
      );
    }
  }

  /** A purchase (or a place on a waiting list) is at most the per-booking maximum of seats. */
  assertQuantity(quantity: number, field = 'quantity'): void {
    const max = this.config.bookings.maxQuantity;
    if (quantity > max) throw AppError.validation([{ field, message: `${field} must not be greater than ${max}` }]);
  }
}

/** What an Idempotency-Key of a one-line sale (a booking or a hold) is checked against: its fields as asked. */
export function purchaseOf({ userId, eventId, lines: [line] }: Sale): object {
  return { user_id: userId, event_id: eventId, ticket_type_id: line.ticketTypeId, quantity: line.quantity };
}
