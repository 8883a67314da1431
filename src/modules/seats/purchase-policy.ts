import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { EventEntity, EventStatus } from '../events/entities/event.entity';
import { isChargeable } from '../payments/money';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { Line, repeatedTypeError, Sale } from './seat-ledger';

/** Whether the event's ticket type ($2; null: its default) has a price. No row when there is no such type a booking may name. */
const PRICED_QUERY = `SELECT price > 0 AS priced FROM ticket_types
 WHERE event_id = $1 AND (id = $2 OR $2::int IS NULL AND is_default) AND NOT hidden`;

/** What a buyer asks for: a booking's, a hold's or an order's fields. */
export interface Asked {
  event_id: number;
  user_id?: number;
  lines: Line[];
  promo_code?: string;
}

/**
 * Who may buy what, before any seat is counted: at most the per-booking maximum of seats
 * (BOOKING_MAX_QUANTITY) in one purchase, each ticket type at most once in an order, for the
 * caller, or (an admin only) for another user who exists; priced tickets only by paying, with a
 * payment provider; and until when a buyer may take their money back. The seats themselves are
 * the SeatLedger's to decide.
 */
@Injectable()
export class PurchasePolicy {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The booking or hold (one line) `caller` may ask for, or why not (400, 403, 404; with a
   * payment provider, 409 PAYMENT_REQUIRED for a customer's priced one: see `assertPaid`).
   */
  async sale({ event_id, user_id, lines }: Asked, caller: UserEntity): Promise<Sale> {
    this.assertQuantity(lines[0].quantity);
    if (this.config.payments.provider !== 'none' && caller.role !== UserRole.Admin) {
      const [type]: { priced: boolean }[] = await this.db.query(PRICED_QUERY, [
        event_id,
        lines[0].ticketTypeId ?? null,
      ]);
      this.assertPaid(caller, type?.priced === true);
    }
    return { eventId: event_id, userId: await this.buyer(user_id, caller), lines };
  }

  /**
   * With a payment provider, a customer gets priced tickets only by paying for an order (POST
   * /orders, then its payment): booking, holding or confirming them is 409 PAYMENT_REQUIRED.
   * An admin still may (a box office); free tickets are taken as without a provider.
   */
  assertPaid(caller: UserEntity, priced: boolean): void {
    if (!priced || this.config.payments.provider === 'none' || caller.role === UserRole.Admin) return;
    throw new AppError('PAYMENT_REQUIRED', 'Priced tickets are bought through an order and paid: POST /orders');
  }

  /**
   * The order `caller` may ask for, or why not (400, 403, 404): its lines add up to at most the
   * per-booking maximum, each of another ticket type (a line naming the default type beside one
   * without a type is found by the statement, which holds no such order: see SeatLedger).
   */
  async order({ event_id, user_id, lines, promo_code }: Asked, caller: UserEntity): Promise<Sale> {
    const max = this.config.bookings.maxQuantity;
    if (lines.reduce((sum, line) => sum + line.quantity, 0) > max) {
      throw AppError.validation([{ field: 'lines', message: `the lines' quantities must add up to at most ${max}` }]);
    }
    const types = lines.map((line) => line.ticketTypeId ?? 'the default type');
    const repeated = types.find((type, i) => types.indexOf(type) !== i);
    if (repeated !== undefined)
      throw repeatedTypeError(typeof repeated === 'number' ? `ticket type ${repeated}` : repeated);
    const userId = await this.buyer(user_id, caller);
    return { eventId: event_id, userId, lines, order: true, promoCode: promo_code };
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

  /** Whom the purchase is for: the caller, or (an admin only) another user who exists. */
  private async buyer(userId: number | undefined, caller: UserEntity): Promise<number> {
    if (userId === undefined || userId === caller.id) return caller.id;
    if (caller.role !== UserRole.Admin) throw AppError.forbidden('Only an admin may book for another user');
    if (!(await this.db.getRepository(UserEntity).existsBy({ id: userId }))) throw AppError.notFound('User', userId);
    return userId;
  }

  /** A price (`field`) must be chargeable in PAYMENT_CURRENCY: whole, for a zero-decimal currency such as jpy. */
  assertPrice(price: string | undefined, field = 'price'): void {
    const { currency } = this.config.payments;
    if (price === undefined || isChargeable(price, currency)) return;
    throw AppError.validation([{ field, message: `${field} must be a whole amount in ${currency}` }]);
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
