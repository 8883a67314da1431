import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { OrderEntity } from '../../orders/entities/order.entity';

export enum PaymentProvider {
  Stripe = 'stripe',
  /** Paid outside the API, recorded by an admin's confirmation (a box office). */
  Manual = 'manual',
}

export enum PaymentStatus {
  RequiresPayment = 'requires_payment',
  Succeeded = 'succeeded',
  /** The provider refused it, or it ended without paying its order (cancelled, or refunded as mismatched). */
  Failed = 'failed',
}

/**
 * One attempt to pay an order: a Stripe PaymentIntent (`reference`, `client_secret`), or a
 * manual payment. An order's `payment` is its latest. A Stripe payment of an order that ended
 * unpaid stays open (`closed_at` null) until its intent is cancelled at Stripe or read back as
 * paid (IntentReconciler).
 */
@Entity('payments')
@Index('idx_payments_order', ['orderId', 'id'])
@Index('uq_payments_reference', ['reference'], { unique: true })
@Index('idx_payments_open', ['checkedAt'], { where: `closed_at IS NULL AND provider = 'stripe'` })
export class PaymentEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'order_id', type: 'integer' })
  orderId: number;

  @ManyToOne(() => OrderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id' })
  order: OrderEntity;

  @Column({ type: 'enum', enum: PaymentProvider, enumName: 'payment_provider' })
  provider: PaymentProvider;

  @Column({ type: 'enum', enum: PaymentStatus, enumName: 'payment_status' })
  status: PaymentStatus;

  /** The provider's id of the payment (a PaymentIntent's `pi_...`); null for a manual one. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  reference: string | null;

  /** What Stripe.js needs to pay the intent; shown only to the order's owner while it is pending. */
  @Column({ name: 'client_secret', type: 'varchar', length: 255, nullable: true })
  clientSecret: string | null;

  /** Decimal string, in `currency`. */
  @Column({ type: 'numeric', precision: 20, scale: 2 })
  amount: string;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  /** Which attempt for the order (0 the first): a retry's idempotency key ends with it. */
  @Column({ type: 'smallint', default: 0 })
  attempt: number;

  /** When the provider's side was settled for good (paid, or the intent cancelled); null while it could still change. */
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** When IntentReconciler last read it back from the provider. */
  @Column({ name: 'checked_at', type: 'timestamptz', nullable: true })
  checkedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
