import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Stripe from 'stripe';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { Metrics } from '../../metrics/metrics.service';
import { EventsService } from '../events/events.service';
import { HoldEntity } from '../holds/entities/hold.entity';
import { OrderEntity, OrderStatus } from '../orders/entities/order.entity';
import { ORDER_QUERY } from '../seats/sale.statement';
import { CONFIRMED_BEFORE, SeatLedger, Undecided } from '../seats/seat-ledger';
import { BookingEntity, BookingStatus } from '../bookings/entities/booking.entity';
import { Outbox } from '../webhooks/outbox';
import { WebhookEventType } from '../webhooks/webhook-event-type';
import { PaymentEntity, PaymentProvider, PaymentStatus } from './entities/payment.entity';
import { RefundStatus } from './entities/refund.entity';
import { Installation } from './installation';
import { fromMinorUnits, toMinorUnits } from './money';
import { Intent, ProviderError, refundStatusOf, StripeEvent, StripeGateway } from './stripe-gateway';

/**
 * Records a refund of the whole of a payment ($1) for its order ($2): $3 the amount, `pending`
 * for the RefundDispatcher to send. When it counts ($4: the payment paid the order, which is
 * refunded now), the order's `refunded_amount` grows (never past its total) and it is `refunded`.
 */
const REFUND_WHOLE_STATEMENT = `
WITH refund AS (
  INSERT INTO refunds (order_id, amount, status, payment_id, counted, next_attempt_at)
  VALUES ($2, $3::numeric, 'pending', $1, $4, now())
)
UPDATE orders SET status = 'refunded', refunded_amount = least(total_amount, refunded_amount + $3::numeric),
       updated_at = now()
 WHERE id = $2 AND $4::boolean`;

/**
 * A charge of the payment $1 (order $2) refunded up to $3 in all: what the order's refunds of it
 * do not account for yet was refunded outside the API (in Stripe's dashboard), and is recorded
 * as a `succeeded` refund without a booking; it counts in `refunded_amount` (never past the
 * total) when $4 (the payment paid the order). Returns that amount, if any.
 */
const OUTSIDE_REFUND_STATEMENT = `
WITH outside AS (
  SELECT $3::numeric - coalesce(sum(amount), 0) AS amount FROM refunds WHERE payment_id = $1 AND status <> 'failed'
), refund AS (
  INSERT INTO refunds (order_id, amount, status, payment_id, counted)
  SELECT $2, amount, 'succeeded', $1, $4 FROM outside WHERE amount > 0
  RETURNING amount
), counted AS (
  UPDATE orders SET refunded_amount = least(total_amount, refunded_amount + r.amount), updated_at = now()
    FROM refund r WHERE orders.id = $2 AND $4::boolean
)
SELECT amount::text FROM refund`;

/** What a provider event did, stored with it; its payment's new status; the event whose seats changed, to tell the event reads. */
interface Effect {
  orderId: number | null;
  outcome: string;
  payment?: { id: number; status: PaymentStatus; closed: boolean };
  changed?: number;
}

/**
 * Records what provider event $1 did ($2 its order, $3 what it did) and its payment's new status
 * ($4 the payment, null: none changed; $5 its status; $6 whether it is settled for good).
 */
const ACTED_ON_STATEMENT = `
WITH payment AS (
  UPDATE payments SET status = $5, closed_at = CASE WHEN $6::boolean THEN now() END, updated_at = now()
   WHERE id = $4::int
)
UPDATE provider_events SET order_id = $2, outcome = $3 WHERE id = $1`;

const ignored = (outcome: string): Effect => ({ orderId: null, outcome: `ignored: ${outcome}` });

/**
 * Payments of orders through the configured provider (PAYMENT_PROVIDER): Stripe PaymentIntents
 * made outside any lock, callbacks acted on once each in the transaction of their effect, and
 * refunds recorded for the RefundDispatcher to send. With no provider, buyers confirm their own
 * orders (OrdersService) and nothing here is called but `required`.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stripe: StripeGateway,
    private readonly installation: Installation,
    private readonly seats: SeatLedger,
    private readonly events: EventsService,
    private readonly outbox: Outbox,
    private readonly metrics: Metrics,
  ) {}

  /** Whether priced tickets are sold only through a provider's payment. */
  get required(): boolean {
    return this.config.payments.provider !== 'none';
  }

  /**
   * A PaymentIntent for the pending order `id` (none yet, or its last one failed), or the one it
   * has while that can still be paid. Stripe refusing or failing cancels the order, its seats
   * freed: 409 PAYMENT_REJECTED, 502 PAYMENT_PROVIDER_UNAVAILABLE.
   */
  async open(id: number): Promise<void> {
    const order = await this.db.getRepository(OrderEntity).findOneByOrFail({ id });
    const latest = await this.db
      .getRepository(PaymentEntity)
      .findOne({ where: { orderId: id }, order: { id: 'DESC' } });
    if (latest?.status === PaymentStatus.RequiresPayment) return;
    const attempt = latest ? latest.attempt + 1 : 0;
    const installationId = await this.installation.id();
    const { currency } = this.config.payments;
    let intent: Intent;
    try {
      intent = await this.stripe.createIntent(
        {
          amount: toMinorUnits(order.totalAmount, currency),
          currency,
          metadata: { order_id: String(id), installation_id: installationId },
        },
        `${installationId}-order-${id}${attempt > 0 ? `-${attempt}` : ''}`,
      );
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      this.logger.warn(`Order ${id}: no payment intent (${error.message}); the order is cancelled`);
      await this.abandon(order);
      throw error.toAppError(`the payment of order ${id}`);
    }
    await this.db.query(
      `INSERT INTO payments (order_id, provider, status, reference, client_secret, amount, currency, attempt)
       VALUES ($1, 'stripe', 'requires_payment', $2, $3, $4, $5, $6) ON CONFLICT (reference) DO NOTHING`,
      [id, intent.id, intent.client_secret, order.totalAmount, currency, attempt],
    );
  }

  /**
   * An admin's confirmation with a provider configured: the order is paid outside the API (a box
   * office), recorded as a `manual` payment in the transaction that pays it. Answers as
   * SeatLedger.confirm does; CONFIRMED_BEFORE when it was paid by then.
   */
  async payManually(order: OrderEntity): Promise<boolean> {
    const paid = await this.db.transaction(async (em) => {
      const outcome = await this.pay(em, order, await this.linesOf(em, order.id), order.expiresAt <= new Date());
      if (outcome instanceof Error) throw outcome;
      if (outcome === CONFIRMED_BEFORE) return false;
      await em.insert(PaymentEntity, {
        orderId: order.id,
        provider: PaymentProvider.Manual,
        status: PaymentStatus.Succeeded,
        amount: order.totalAmount,
        currency: this.config.payments.currency,
        closedAt: new Date(),
      });
      return true;
    });
    this.events.changed(order.eventId);
    return paid;
  }

  /**
   * Acts on a provider event once, however often it arrives: the event's id is stored in the
   * transaction of its effect, so a second delivery finds it (waiting, if the first is still
   * being acted on) and changes nothing. A failed effect stores nothing: 503, to be sent again.
   */
  async receive(event: Pick<StripeEvent, 'id' | 'type' | 'data'>): Promise<void> {
    let effect: Effect | undefined;
    try {
      await this.db.transaction(async (em) => {
        const [fresh]: unknown[] = await em.query(
          `INSERT INTO provider_events (id, type, outcome) VALUES ($1, $2, 'received') ON CONFLICT DO NOTHING RETURNING id`,
          [event.id, event.type],
        );
        if (!fresh) return;
        const acted = await this.act(em, event);
        await em.query(ACTED_ON_STATEMENT, [
          event.id,
          acted.orderId,
          acted.outcome.slice(0, 255),
          acted.payment?.id ?? null,
          acted.payment?.status ?? null,
          acted.payment?.closed ?? false,
        ]);
        effect = acted;
      });
    } catch (error) {
      this.logger.error(`Stripe event ${event.id} (${event.type}) not acted on: ${String(error)}`);
      throw AppError.unavailable('The event could not be acted on now; send it again');
    }
    if (effect?.changed !== undefined) this.events.changed(effect.changed);
  }

  private act(em: EntityManager, event: Pick<StripeEvent, 'type' | 'data'>): Promise<Effect> {
    const object = event.data.object as unknown;
    switch (event.type) {
      case 'payment_intent.succeeded':
        return this.succeeded(em, object as Intent);
      case 'payment_intent.payment_failed':
        return this.failed(em, object as Intent);
      case 'charge.refunded':
        return this.chargeRefunded(em, object as Stripe.Charge);
      case 'refund.updated':
      case 'refund.failed':
        return this.refundUpdated(em, object as Stripe.Refund);
      default:
        return Promise.resolve(ignored('not a type the API acts on'));
    }
  }

  /**
   * A successful intent pays its order: now, or late (the order expired or was cancelled) if all
   * its seats can be taken again. Otherwise, and for a success with another amount or currency
   * or of an order paid another way or refunded, the whole amount received is refunded: no
   * buyer is charged without tickets or a refund. An intent pays at most once.
   */
  private async succeeded(em: EntityManager, intent: Intent): Promise<Effect> {
    const found = await this.paymentOf(em, intent.id);
    if (!found) return ignored(`no order has intent ${intent.id}`);
    const { payment, order, lines } = found;
    const effect = (outcome: string, status: PaymentStatus): Effect => ({
      orderId: order.id,
      outcome,
      payment: { id: payment.id, status, closed: true },
      changed: order.eventId,
    });
    if (payment.status === PaymentStatus.Succeeded) {
      return { orderId: order.id, outcome: 'ignored: this intent paid before' };
    }
    const received = fromMinorUnits(intent.amount_received, intent.currency);
    const refundAll = async (why: string) => {
      await em.query(REFUND_WHOLE_STATEMENT, [payment.id, order.id, received, false]);
      return effect(`refunded ${received}: ${why}`, PaymentStatus.Failed);
    };
    if (intent.currency !== payment.currency || received !== order.totalAmount) {
      return refundAll(`received ${received} ${intent.currency} for ${order.totalAmount} ${payment.currency}`);
    }
    if (order.status === OrderStatus.Paid || order.status === OrderStatus.Refunded) {
      return refundAll(`order ${order.id} was ${order.status} by then`);
    }
    const late = order.status !== OrderStatus.Pending || order.expiresAt <= new Date();
    if (late) this.metrics.paymentsLate.inc();
    const outcome = await this.pay(em, order, lines, late);
    if (outcome instanceof Error) {
      await em.query(REFUND_WHOLE_STATEMENT, [payment.id, order.id, received, true]);
      await this.reportRefunded(em, order.id);
      return effect(`refunded ${received}: ${outcome.message}`, PaymentStatus.Succeeded);
    }
    this.metrics.paymentsSucceeded.inc();
    return effect(late ? 'paid late' : 'paid', PaymentStatus.Succeeded);
  }

  /** A failed attempt: the order stays pending until it expires, so its buyer can try again. */
  private async failed(em: EntityManager, intent: Intent): Promise<Effect> {
    const found = await this.paymentOf(em, intent.id);
    if (!found) return ignored(`no order has intent ${intent.id}`);
    if (found.payment.status !== PaymentStatus.RequiresPayment) {
      return { orderId: found.order.id, outcome: `ignored: payment is ${found.payment.status}` };
    }
    this.metrics.paymentsFailed.inc();
    const payment = { id: found.payment.id, status: PaymentStatus.Failed, closed: false };
    return { orderId: found.order.id, outcome: 'payment failed', payment };
  }

  /**
   * A charge refunded (by the API's refunds or in Stripe's dashboard): what the order's refunds
   * do not account for is recorded as a refund made outside the API. A charge refunded in full
   * cancels the bookings of its order still confirmed, as an event's cancellation would, with
   * no further refund: the order is `refunded`.
   */
  private async chargeRefunded(em: EntityManager, charge: Stripe.Charge): Promise<Effect> {
    const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
    const found = intentId ? await this.paymentOf(em, intentId) : undefined;
    if (!found) return ignored(`no order has intent ${intentId}`);
    const { payment, order } = found;
    const paying = payment.status === PaymentStatus.Succeeded && order.status !== OrderStatus.Pending;
    const refunded = fromMinorUnits(charge.amount_refunded, charge.currency);
    const [outside]: { amount: string }[] = await em.query(OUTSIDE_REFUND_STATEMENT, [
      payment.id,
      order.id,
      refunded,
      paying,
    ]);
    const effect: Effect = {
      orderId: order.id,
      outcome: outside ? `refunded ${outside.amount} outside the API` : 'refunds accounted for',
      changed: order.eventId,
    };
    if (!charge.refunded || !paying || order.status !== OrderStatus.Paid) return effect;
    const bookings = await em.find(BookingEntity, {
      where: { orderId: order.id, status: BookingStatus.Confirmed },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    for (const booking of bookings) await this.seats.cancelBooking(em, booking, true);
    return { ...effect, outcome: `${effect.outcome}; charge refunded in full, ${bookings.length} bookings cancelled` };
  }

  /** A refund the API sent, updated by Stripe: its row's status follows. */
  private async refundUpdated(em: EntityManager, refund: Stripe.Refund): Promise<Effect> {
    const ours = refund.metadata?.installation_id === (await this.installation.id());
    const status = refundStatusOf(refund);
    const [rows]: [{ order_id: number }[], number] = await em.query(
      `UPDATE refunds SET status = $3, reference = $1, next_attempt_at = NULL, updated_at = now()
        WHERE reference = $1 OR id = $2::int RETURNING order_id`,
      [refund.id, ours ? Number(refund.metadata?.refund_id) || null : null, status],
    );
    if (rows.length === 0) return ignored(`no refund is ${refund.id}`);
    if (status === RefundStatus.Failed) {
      this.metrics.refundsFailed.inc();
      this.logger.error(`Refund ${refund.id} of order ${rows[0].order_id} failed at Stripe`);
    }
    return { orderId: rows[0].order_id, outcome: `refund ${status}` };
  }

  /**
   * Pays `order` by confirming its lines (SeatLedger.confirm). A `late` payment (the order ended,
   * or its time is up) first expires the event's holds that are due, under its row lock, then
   * takes the seats of the order's released and expired lines again when they are there.
   */
  private async pay(em: EntityManager, order: OrderEntity, lines: HoldEntity[], late: boolean) {
    if (late) await this.seats.expireDue(em, order.eventId);
    const [outcome] = await this.seats.confirm(em, [lines], late);
    return outcome instanceof Undecided ? outcome.otherwise : outcome;
  }

  /**
   * The payment of intent `reference`, its order, locked in the order of every path (the event,
   * then the order and the payment, in one statement), and the order's lines.
   */
  private async paymentOf(em: EntityManager, reference: string) {
    const [known]: { id: number; order_id: number; event_id: number }[] = await em.query(
      'SELECT p.id, p.order_id, o.event_id FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.reference = $1',
      [reference],
    );
    if (!known) return undefined;
    const lines = await this.linesOf(em, known.order_id);
    await this.seats.lock(em, known.event_id);
    const [locked] = await em
      .createQueryBuilder(PaymentEntity, 'payment')
      .innerJoinAndMapOne('payment.order', OrderEntity, 'o', 'o.id = payment.orderId')
      .where('payment.id = :id', { id: known.id })
      .setLock('pessimistic_write')
      .getMany();
    return { payment: locked, order: locked.order, lines };
  }

  private linesOf(em: EntityManager, orderId: number): Promise<HoldEntity[]> {
    return em.find(HoldEntity, { where: { orderId }, order: { line: 'ASC' } });
  }

  /** Records the `order.refunded` message of an order just refunded, in its transaction. */
  private async reportRefunded(em: EntityManager, orderId: number): Promise<void> {
    const [{ order }]: { order: object }[] = await em.query(ORDER_QUERY, [orderId]);
    await this.outbox.record(em, WebhookEventType.OrderRefunded, [{ resource: `order/${orderId}`, data: order }]);
    this.metrics.ordersRefunded.inc();
  }

  /** Cancels an order whose payment could not be started, if it is still pending: its seats are freed. */
  private async abandon(order: OrderEntity): Promise<void> {
    await this.db.transaction(async (em) => {
      await this.seats.lock(em, order.eventId);
      const locked = await em.findOneOrFail(OrderEntity, {
        where: { id: order.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (locked.status === OrderStatus.Pending) await this.seats.releaseOrder(em, locked);
    });
    this.events.changed(order.eventId);
  }
}
