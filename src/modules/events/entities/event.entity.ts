import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum EventStatus {
  Active = 'active',
  Cancelled = 'cancelled',
  Completed = 'completed',
}

@Entity('events')
@Index('idx_events_schedule', ['dateTime', 'id'])
@Index('idx_events_status_schedule', ['status', 'dateTime', 'id'])
@Check('chk_events_capacity', `capacity BETWEEN 1 AND 1000000`)
@Check('chk_events_price', `price >= 0`)
@Check('chk_events_sold', `total_tickets_sold BETWEEN 0 AND capacity`)
@Check('chk_events_sold_held', `total_tickets_held >= 0 AND total_tickets_sold + total_tickets_held <= capacity`)
@Check('chk_events_revenue', `total_revenue >= 0`)
@Check('chk_events_bookings', `total_bookings >= 0`)
export class EventEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 255 })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 500 })
  venue: string;

  @Column({ name: 'date_time', type: 'timestamptz' })
  dateTime: Date;

  @Column({ type: 'integer' })
  capacity: number;

  /** Decimal string, e.g. "19.99"; never a float. */
  @Column({ type: 'numeric', precision: 10, scale: 2 })
  price: string;

  @Column({ type: 'enum', enum: EventStatus, enumName: 'event_status', default: EventStatus.Active })
  status: EventStatus;

  @Column({ name: 'total_tickets_sold', type: 'integer', default: 0 })
  totalTicketsSold: number;

  /** Seats kept by active holds (see SeatLedger). */
  @Column({ name: 'total_tickets_held', type: 'integer', default: 0 })
  totalTicketsHeld: number;

  @Column({ name: 'total_revenue', type: 'numeric', precision: 20, scale: 2, default: 0 })
  totalRevenue: string;

  @Column({ name: 'total_bookings', type: 'integer', default: 0 })
  totalBookings: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
