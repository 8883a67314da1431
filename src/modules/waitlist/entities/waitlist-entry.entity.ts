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
import { OrderEntity } from '../../orders/entities/order.entity';
import { TicketTypeEntity } from '../../events/entities/ticket-type.entity';
import { HoldEntity } from '../../holds/entities/hold.entity';
import { UserEntity } from '../../users/entities/user.entity';

/**
 * `waiting` until freed seats fit it, then `offered` (its hold keeps them), then `fulfilled`
 * (confirmed) or `expired` (the offer ran out or was released); `left` when its user gave up.
 * Only `waiting` and `offered` are open.
 */
export enum WaitlistStatus {
  Waiting = 'waiting',
  Offered = 'offered',
  Fulfilled = 'fulfilled',
  Expired = 'expired',
  Left = 'left',
}

/** One user waiting for `quantity` seats of one ticket type of an event; served in order of arrival (id). */
@Entity('waitlist_entries')
@Check('chk_waitlist_quantity', `quantity > 0`)
@Check('chk_waitlist_offer', `(status = 'waiting') = (hold_id IS NULL) OR status IN ('expired', 'left')`)
@Index('uq_waitlist_open_user_event', ['userId', 'eventId'], {
  unique: true,
  where: `status IN ('waiting', 'offered')`,
})
@Index('idx_waitlist_waiting_event', ['eventId', 'id'], { where: `status = 'waiting'` })
@Index('idx_waitlist_event', ['eventId', 'id'])
@Index('idx_waitlist_user', ['userId', 'id'])
@Index('uq_waitlist_hold', ['holdId'], { unique: true })
export class WaitlistEntryEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'event_id', type: 'integer' })
  eventId: number;

  @ManyToOne(() => EventEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'event_id' })
  event: EventEntity;

  @Column({ name: 'ticket_type_id', type: 'integer' })
  ticketTypeId: number;

  @ManyToOne(() => TicketTypeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'ticket_type_id' })
  ticketType: TicketTypeEntity;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user: UserEntity;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ type: 'enum', enum: WaitlistStatus, enumName: 'waitlist_status', default: WaitlistStatus.Waiting })
  status: WaitlistStatus;

  /** The hold of the offer; null while waiting. */
  @Column({ name: 'hold_id', type: 'integer', nullable: true })
  holdId: number | null;

  @ManyToOne(() => HoldEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'hold_id' })
  hold: HoldEntity | null;

  /** With a payment provider, a priced offer is a pending one-line order (its line the offer's hold) to pay. */
  @Column({ name: 'order_id', type: 'integer', nullable: true })
  orderId: number | null;

  @ManyToOne(() => OrderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id' })
  order: OrderEntity | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
