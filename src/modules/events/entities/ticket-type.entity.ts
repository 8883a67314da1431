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
import { EventEntity } from './event.entity';

/** What every event's default type is called. */
export const DEFAULT_TICKET_TYPE_NAME = 'General admission';

/**
 * A kind of ticket of one event (general admission, VIP, early bird) with its own price and,
 * optionally, a quota of the event's seats. Its seats are counted like the event's (see
 * SeatLedger), and the database refuses more sold and held than its quota (chk_ticket_types_sold_held).
 * Every event has exactly one default type, at the event's price.
 */
@Entity('ticket_types')
@Index('uq_ticket_types_default', ['eventId'], { unique: true, where: 'is_default' })
@Index('idx_ticket_types_event', ['eventId', 'id'])
@Check('chk_ticket_types_price', `price >= 0`)
@Check('chk_ticket_types_quota', `quota BETWEEN 0 AND 1000000`)
@Check(
  'chk_ticket_types_sold_held',
  `total_tickets_sold >= 0 AND total_tickets_held >= 0 AND total_tickets_sold + total_tickets_held <= quota`,
)
@Check('chk_ticket_types_revenue', `total_revenue >= 0`)
@Check('chk_ticket_types_hidden', `NOT (hidden AND is_default)`)
export class TicketTypeEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'event_id', type: 'integer' })
  eventId: number;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event: EventEntity;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Decimal string, e.g. "4500.00"; never a float. */
  @Column({ type: 'numeric', precision: 10, scale: 2 })
  price: string;

  /** At most this many of the event's seats sold and held together; null: the event's capacity alone. */
  @Column({ type: 'integer', nullable: true })
  quota: number | null;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  /** Listed to admins only, and sold only to an order whose promo code names it; never the default. */
  @Column({ type: 'boolean', default: false })
  hidden: boolean;

  @Column({ name: 'total_tickets_sold', type: 'integer', default: 0 })
  totalTicketsSold: number;

  @Column({ name: 'total_tickets_held', type: 'integer', default: 0 })
  totalTicketsHeld: number;

  @Column({ name: 'total_revenue', type: 'numeric', precision: 20, scale: 2, default: 0 })
  totalRevenue: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
