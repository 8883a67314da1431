import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { BookingEntity } from '../../bookings/entities/booking.entity';
import { OrderEntity } from '../../orders/entities/order.entity';
import { PaymentEntity } from './payment.entity';

export enum RefundStatus {
  Pending = 'pending',
  Succeeded = 'succeeded',
  Failed = 'failed',
}

/**
 * Money given back for a cancelled booking of a paid order, for a payment that could not pay its
 * order (a late or mismatched one), or, without a booking, one made outside the API. A refund of
 * a provider's payment is an outbox row: recorded `pending` in the transaction that decides it,
 * sent by the RefundDispatcher (`next_attempt_at`, `attempts`), `succeeded` or `failed` by the
 * provider's answer.
 */
@Entity('refunds')
@Check('chk_refunds_amount', `amount > 0`)
@Index('idx_refunds_order', ['orderId', 'id'])
@Index('idx_refunds_payment', ['paymentId'])
@Index('idx_refunds_due', ['nextAttemptAt'], { where: `status = 'pending' AND next_attempt_at IS NOT NULL` })
@Index('uq_refunds_booking', ['bookingId'], { unique: true })
export class RefundEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'order_id', type: 'integer' })
  orderId: number;

  @ManyToOne(() => OrderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id' })
  order: OrderEntity;

  @Column({ name: 'booking_id', type: 'integer', nullable: true })
  bookingId: number | null;

  @ManyToOne(() => BookingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'booking_id' })
  booking: BookingEntity | null;

  /** Decimal string. */
  @Column({ type: 'numeric', precision: 20, scale: 2 })
  amount: string;

  @Column({ type: 'enum', enum: RefundStatus, enumName: 'refund_status' })
  status: RefundStatus;

  /** The payment provider's id of the refund; null until it is sent, and for one made without a provider. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  reference: string | null;

  /** The provider's payment it gives money back from; null without a provider or for a `manual` payment. */
  @Column({ name: 'payment_id', type: 'integer', nullable: true })
  paymentId: number | null;

  @ManyToOne(() => PaymentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'payment_id' })
  payment: PaymentEntity | null;

  /** Whether this refund counts in its order's `refunded_amount` (not for a payment that never paid the order). */
  @Column({ type: 'boolean', default: true })
  counted: boolean;

  /** Sends tried so far, and when the next is due (null: not to be sent). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  /** Why the last send failed. */
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
