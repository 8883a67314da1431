import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page } from '../../common/pagination/pagination-query.dto';
import { BookingEntity, BookingStatus } from '../bookings/entities/booking.entity';
import { EventEntity } from '../events/entities/event.entity';
import { EventsService } from '../events/events.service';
import { HoldEntity } from '../holds/entities/hold.entity';
import { keyedRequest } from '../idempotency/idempotency-keys.service';
import { PaymentsService } from '../payments/payments.service';
import { PurchasePolicy } from '../seats/purchase-policy';
import { SaleBatcher } from '../seats/sale-batcher';
import { ORDER_QUERY, orderJson } from '../seats/sale.statement';
import { CONFIRMED_BEFORE, orderNotPending, SeatLedger } from '../seats/seat-ledger';
import { TicketEntity, TicketStatus } from '../tickets/entities/ticket.entity';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { assertOwnerOrAdmin } from '../users/owner-or-admin';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { OrderResponseDto, PaymentDto } from './dto/order-response.dto';
import { OrderEntity, OrderStatus } from './entities/order.entity';

/** A line of an order (a hold), with its order. */
type OrderLine = HoldEntity & { order: OrderEntity };

/** A confirmation's order; `created` is false when it had been paid before. */
export interface Payment {
  order: OrderResponseDto;
  created: boolean;
}

/** Orders of a user or an event (`$1` its id) in a status (`$2`, null: any). */
const whereOrders = (owner: 'user_id' | 'event_id') =>
  `o.${owner} = $1::int AND ($2::order_status IS NULL OR o.status = $2::order_status)`;
/** A page of orders (see whereOrders; `$3` limit, `$4` offset), newest first. */
const ordersOf = (owner: 'user_id' | 'event_id') => `
SELECT ${orderJson('o')} AS "order" FROM orders o WHERE ${whereOrders(owner)}
 ORDER BY o.created_at DESC, o.id DESC LIMIT $3 OFFSET $4`;
const countOf = (owner: 'user_id' | 'event_id') =>
  `SELECT count(*)::int AS total FROM orders o WHERE ${whereOrders(owner)}`;
const USER_ORDERS_QUERY = ordersOf('user_id');
const EVENT_ORDERS_QUERY = ordersOf('event_id');
const COUNT_USER_ORDERS = countOf('user_id');
const COUNT_EVENT_ORDERS = countOf('event_id');

/**
 * Orders: several ticket types of one event held together (each line a hold carrying the
 * order's id, see SeatLedger), paid once into one booking per line, or expired, cancelled and
 * refunded as a whole. Every change of their seats goes through the SeatLedger, under the
 * event's row lock; orders of one event that arrive together are held and paid in batches
 * (SaleBatcher).
 */
@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly batcher: SaleBatcher,
    private readonly policy: PurchasePolicy,
    private readonly payments: PaymentsService,
  ) {}

  /**
   * Holds every line or none, in one statement (SeatLedger.hold), `pending` for
   * HOLD_TTL_SECONDS; an order whose total is 0.00 is paid at once. Accepts an Idempotency-Key.
   */
  async create(dto: CreateOrderDto, caller: UserEntity, idempotencyKey?: string): Promise<OrderResponseDto> {
    const lines = dto.lines.map((line) => ({ ticketTypeId: line.ticket_type_id, quantity: line.quantity }));
    const sale = await this.policy.order({ ...dto, lines }, caller);
    const keyed = keyedRequest(caller.id, idempotencyKey, 'POST /orders', { ...dto, user_id: sale.userId });
    const order = await this.batcher.hold(
      sale,
      (outcome) => {
        if (outcome instanceof AppError) throw outcome;
        return outcome.order as OrderResponseDto;
      },
      keyed,
    );
    this.events.changed(sale.eventId);
    if (order.status !== OrderStatus.Pending) return order;
    if (order.total_amount === '0.00') return (await this.pay(await this.linesOf(order.id))).order;
    if (!this.payments.required) return order;
    await this.payments.open(order.id);
    return this.read(order.id, caller);
  }

  /** The order, for its owner (with its payment's client secret while pending) or an admin. */
  async get(id: number, caller: UserEntity): Promise<OrderResponseDto> {
    const order = await this.read(id, caller);
    assertOwnerOrAdmin(caller, order.user_id);
    return order;
  }

  /**
   * With a payment provider, a PaymentIntent for the owner's pending order: the one it has while
   * that can still be paid, else a new one (see PaymentsService.open). 404 without a provider.
   */
  async startPayment(id: number, caller: UserEntity): Promise<OrderResponseDto> {
    const order = await this.get(id, caller);
    if (order.user_id !== caller.id) throw AppError.forbidden('Only the buyer of an order may pay it');
    if (!this.payments.required) throw AppError.notFound('Payment provider', 'for this API');
    if (order.status !== OrderStatus.Pending) throw orderNotPending(id, order.status);
    await this.payments.open(id);
    return this.read(id, caller);
  }

  async listForUser(userId: number, query: ListOrdersQueryDto, caller: UserEntity): Promise<Page<OrderResponseDto>> {
    assertOwnerOrAdmin(caller, userId);
    if (!(await this.db.getRepository(UserEntity).existsBy({ id: userId }))) throw AppError.notFound('User', userId);
    return this.page(USER_ORDERS_QUERY, COUNT_USER_ORDERS, userId, query);
  }

  async listForEvent(eventId: number, query: ListOrdersQueryDto): Promise<Page<OrderResponseDto>> {
    await this.events.get(eventId);
    return this.page(EVENT_ORDERS_QUERY, COUNT_EVENT_ORDERS, eventId, query);
  }

  /**
   * Pays a pending order (or an expired one whose seats can all be taken again): one booking per
   * line, in one statement (SeatLedger.confirm). Paying it again answers with the order as it is.
   * With a payment provider only an admin may, for a payment made outside the API (`manual`);
   * its buyer pays through the provider (409 PAYMENT_REQUIRED).
   */
  async confirm(id: number, caller: UserEntity): Promise<Payment> {
    const lines = await this.linesOf(id, caller);
    const [{ order }] = lines;
    const status =
      order.status === OrderStatus.Pending && order.expiresAt <= new Date() ? OrderStatus.Expired : order.status;
    if (status === OrderStatus.Paid) return { order: await this.read(id), created: false };
    if (status !== OrderStatus.Pending && status !== OrderStatus.Expired) throw orderNotPending(id, status);
    if (!this.payments.required) return this.pay(lines);
    if (caller.role !== UserRole.Admin) {
      throw new AppError(
        'PAYMENT_REQUIRED',
        `Order ${id} is paid through the payment provider (POST /orders/${id}/payment)`,
      );
    }
    const created = await this.payments.payManually(order);
    return { order: await this.read(id), created };
  }

  /**
   * Cancels the order as a whole: a pending one's seats are freed; a paid one's bookings are all
   * cancelled (as `PUT /bookings/{id}/status` would) and refunded, or none when a ticket was used.
   * A customer may cancel a paid order only before REFUND_CUTOFF_SECONDS ahead of its event.
   * Cancelling a cancelled or refunded order changes nothing; an expired one is 409.
   */
  async cancel(id: number, caller: UserEntity): Promise<OrderResponseDto> {
    const { event_id: eventId } = await this.get(id, caller);
    await this.db.transaction(async (em) => {
      const event = await this.seats.lock(em, eventId);
      const order = await em.findOneOrFail(OrderEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      const due = order.status === OrderStatus.Pending && order.expiresAt <= new Date();
      if (order.status === OrderStatus.Expired || due) throw orderNotPending(id, OrderStatus.Expired);
      if (order.status === OrderStatus.Pending) await this.seats.releaseOrder(em, order);
      if (order.status === OrderStatus.Paid) await this.refund(em, order, event, caller);
    });
    this.events.changed(eventId);
    return this.read(id);
  }

  /** Cancels every booking of a paid order (locked by the caller after its event); they are refunded with it. */
  private async refund(em: EntityManager, order: OrderEntity, event: EventEntity, caller: UserEntity): Promise<void> {
    if (caller.role !== UserRole.Admin) this.policy.assertRefundable(`Order ${order.id}`, event);
    const bookings = await em.find(BookingEntity, {
      where: { orderId: order.id, status: BookingStatus.Confirmed },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    if (await em.existsBy(TicketEntity, { bookingId: In(bookings.map((b) => b.id)), status: TicketStatus.Used })) {
      throw new AppError(
        'INVALID_STATUS_TRANSITION',
        `Order ${order.id} has a checked-in ticket and cannot be cancelled`,
      );
    }
    for (const booking of bookings) await this.seats.cancelBooking(em, booking);
  }

  /** Confirms the order's lines together (SeatLedger.confirm, in a batch of its event's). */
  /** Pays the order whose `lines` these are (SeatLedger.confirm): the order as the statement that paid it wrote it. */
  private async pay(lines: HoldEntity[]): Promise<Payment> {
    const outcome = await this.batcher.confirm(lines, (made) => {
      if (made instanceof AppError) throw made;
      return made;
    });
    this.events.changed(lines[0].eventId);
    if (outcome === CONFIRMED_BEFORE) return { order: await this.read(lines[0].orderId!), created: false };
    return { order: outcome.order as OrderResponseDto, created: true };
  }

  /** The order's lines (its holds, in order) with the order, for its buyer or an admin (`caller`): 404 when there is none. */
  private async linesOf(id: number, caller?: UserEntity): Promise<OrderLine[]> {
    const lines = (await this.db
      .getRepository(HoldEntity)
      .find({ where: { orderId: id }, relations: { order: true }, order: { line: 'ASC' } })) as OrderLine[];
    if (lines.length === 0) throw AppError.notFound('Order', id);
    if (caller) assertOwnerOrAdmin(caller, lines[0].order.userId);
    return lines;
  }

  /** The order as the API returns it; its buyer (`caller`) also sees its payment's client secret while it is pending. */
  private async read(id: number, caller?: UserEntity): Promise<OrderResponseDto> {
    const [row]: { order: OrderResponseDto; client_secret: string | null }[] = await this.db.query(ORDER_QUERY, [id]);
    if (!row) throw AppError.notFound('Order', id);
    const { order } = row;
    if (order.payment && caller?.id === order.user_id && order.status === OrderStatus.Pending) {
      (order.payment as PaymentDto).client_secret = row.client_secret;
    }
    return order;
  }

  private async page(query: string, count: string, id: number, { status, limit, offset }: ListOrdersQueryDto) {
    const rows: { order: OrderResponseDto }[] = await this.db.query(query, [id, status ?? null, limit, offset]);
    const [{ total }]: { total: number }[] = await this.db.query(count, [id, status ?? null]);
    return { items: rows.map((row) => row.order), total };
  }
}
