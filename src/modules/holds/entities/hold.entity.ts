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
import { EventEntity } from '../../events/entities/event.entity';
import { TicketTypeEntity } from '../../events/entities/ticket-type.entity';
import { OrderEntity } from '../../orders/entities/order.entity';
import { UserEntity } from '../../users/entities/user.entity';

/** A hold moves from `active` once, to one of the other three. */
export enum HoldStatus {
  Active = 'active',
  Confirmed = 'confirmed',
  Released = 'released',
  Expired = 'expired',
}

/**
 * Seats kept for one buyer while they pay (a checkout hold). Its seats count as held on the event
 * while it is active; confirming it turns them into a booking, releasing or expiring it frees them.
 */
@Entity('holds')
@Check('chk_holds_quantity', `quantity > 0`)
@Check('chk_holds_amount', `total_amount >= 0`)
@Check('chk_holds_booking', `(status = 'confirmed') = (booking_id IS NOT NULL)`)
@Index('uq_holds_active_user_event', ['userId', 'eventId'], {
  unique: true,
  where: `status = 'active' AND NOT offer AND line = 1`,
})
@Index('idx_holds_order', ['orderId', 'line'])
@Index('idx_holds_active_event_expiry', ['eventId', 'expiresAt'], { where: `status = 'active'` })
@Index('idx_holds_active_expiry', ['expiresAt'], { where: `status = 'active'` })
@Index('uq_holds_booking', ['bookingId'], { unique: true })
@Index('idx_holds_ticket_type', ['ticketTypeId'])
export class HoldEntity {
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

  @Column({ name: 'ticket_type_id', type: 'integer' })
  ticketTypeId: number;

  @ManyToOne(() => TicketTypeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'ticket_type_id', foreignKeyConstraintName: 'fk_holds_ticket_type' })
  ticketType: TicketTypeEntity;

  @Column({ type: 'integer' })
  quantity: number;

  /** Decimal string: the ticket type's price times quantity when the hold was made, less its discount; a confirmation charges this. */
  @Column({ name: 'total_amount', type: 'numeric', precision: 20, scale: 2 })
  totalAmount: string;

  /** Decimal string: what its order's promo code took off this line. */
  @Column({ name: 'discount_amount', type: 'numeric', precision: 20, scale: 2, default: 0 })
  discountAmount: string;

  @Column({ type: 'enum', enum: HoldStatus, enumName: 'hold_status', default: HoldStatus.Active })
  status: HoldStatus;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** A waiting-list offer (see WaitlistEntryEntity), which does not count against one active hold per user and event. */
  @Column({ type: 'boolean', default: false })
  offer: boolean;

  /** The order this hold is a line of (see OrderEntity); null for a hold of its own. */
  @Column({ name: 'order_id', type: 'integer', nullable: true })
  orderId: number | null;

  @ManyToOne(() => OrderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id' })
  order: OrderEntity | null;

  /** Its place among its order's lines, 1 for a hold of its own: only line 1 counts against one active hold per user and event. */
  @Column({ type: 'smallint', default: 1 })
  line: number;

  /** The booking the confirmation made; null until then. */
  @Column({ name: 'booking_id', type: 'integer', nullable: true })
  bookingId: number | null;

  @ManyToOne(() => BookingEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'booking_id' })
  booking: BookingEntity | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** True once an active hold's time is up, whether or not its seats were freed yet. */
export function isDue(hold: HoldEntity, now = new Date()): boolean {
  return hold.status === HoldStatus.Active && hold.expiresAt <= now;
}
