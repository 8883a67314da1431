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
import { EventEntity } from '../../events/entities/event.entity';
import { PromoCodeEntity } from '../../promo-codes/entities/promo-code.entity';
import { UserEntity } from '../../users/entities/user.entity';

/** An order moves only by the contract's transitions (see SeatLedger and OrdersService). */
export enum OrderStatus {
  Pending = 'pending',
  Paid = 'paid',
  Expired = 'expired',
  Cancelled = 'cancelled',
  Refunded = 'refunded',
}

/**
 * A checkout of several ticket types of one event, held together and paid once. Its lines are
 * holds carrying its id (HoldEntity.orderId, `line`), so their seats are held, expire and are
 * confirmed exactly as a hold's; paying it makes one booking per line.
 */
@Entity('orders')
@Check('chk_orders_quantity', `quantity > 0`)
@Check(
  'chk_orders_amounts',
  `subtotal_amount >= 0 AND discount_amount >= 0 AND total_amount = subtotal_amount - discount_amount`,
)
@Check('chk_orders_refunded', `refunded_amount >= 0 AND refunded_amount <= total_amount`)
@Index('idx_orders_user_newest', ['userId', 'createdAt', 'id'])
@Index('idx_orders_event_newest', ['eventId', 'createdAt', 'id'])
@Index('idx_orders_promo_code', ['promoCodeId'])
export class OrderEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user: UserEntity;

  @Column({ name: 'event_id', type: 'integer' })
  eventId: number;

  @ManyToOne(() => EventEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'event_id' })
  event: EventEntity;

  @Column({ type: 'enum', enum: OrderStatus, enumName: 'order_status', default: OrderStatus.Pending })
  status: OrderStatus;

  /** The seats of all its lines. */
  @Column({ type: 'integer' })
  quantity: number;

  /** Decimal strings: the lines' prices times quantities, what was taken off, and what is charged. */
  @Column({ name: 'subtotal_amount', type: 'numeric', precision: 20, scale: 2 })
  subtotalAmount: string;

  @Column({ name: 'discount_amount', type: 'numeric', precision: 20, scale: 2, default: 0 })
  discountAmount: string;

  @Column({ name: 'total_amount', type: 'numeric', precision: 20, scale: 2 })
  totalAmount: string;

  /** What its refunds add up to. */
  @Column({ name: 'refunded_amount', type: 'numeric', precision: 20, scale: 2, default: 0 })
  refundedAmount: string;

  /** The promo code it used; a code an order used cannot be deleted. */
  @Column({ name: 'promo_code_id', type: 'integer', nullable: true })
  promoCodeId: number | null;

  @ManyToOne(() => PromoCodeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'promo_code_id' })
  promoCode: PromoCodeEntity | null;

  /** Its tickets of the code's types: the uses it counts in its code's `uses` while pending or paid. */
  @Column({ name: 'promo_code_uses', type: 'integer', default: 0 })
  promoCodeUses: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
