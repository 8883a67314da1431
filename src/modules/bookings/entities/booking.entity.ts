import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { EventEntity } from '../../events/entities/event.entity';
import { OrderEntity } from '../../orders/entities/order.entity';
import { TicketTypeEntity } from '../../events/entities/ticket-type.entity';
import { TicketEntity } from '../../tickets/entities/ticket.entity';
import { UserEntity } from '../../users/entities/user.entity';

export enum BookingStatus {
  Confirmed = 'confirmed',
  Cancelled = 'cancelled',
}

@Entity('bookings')
@Check('chk_bookings_quantity', `quantity > 0`)
@Check('chk_bookings_amount', `total_amount >= 0`)
@Index('idx_bookings_user_newest', ['userId', 'bookingDate', 'id'])
@Index('idx_bookings_event_newest', ['eventId', 'bookingDate', 'id'])
@Index('idx_bookings_ticket_type', ['ticketTypeId'])
@Index('idx_bookings_order', ['orderId'])
export class BookingEntity {
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
  @JoinColumn({ name: 'ticket_type_id', foreignKeyConstraintName: 'fk_bookings_ticket_type' })
  ticketType: TicketTypeEntity;

  @Column({ type: 'integer' })
  quantity: number;

  /** Decimal string: the ticket type's price times quantity at booking time. */
  @Column({ name: 'total_amount', type: 'numeric', precision: 20, scale: 2 })
  totalAmount: string;

  /** The order whose line this booking is (see OrderEntity); null for a direct booking. */
  @Column({ name: 'order_id', type: 'integer', nullable: true })
  orderId: number | null;

  @ManyToOne(() => OrderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id' })
  order: OrderEntity | null;

  @Column({ name: 'booking_date', type: 'timestamptz', default: () => 'now()' })
  bookingDate: Date;

  @Column({ type: 'enum', enum: BookingStatus, enumName: 'booking_status', default: BookingStatus.Confirmed })
  status: BookingStatus;

  @OneToMany(() => TicketEntity, (ticket) => ticket.booking)
  tickets: TicketEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
