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
import type { BookingEntity } from '../../bookings/entities/booking.entity';

export enum TicketStatus {
  Active = 'active',
  Used = 'used',
  Cancelled = 'cancelled',
}

@Entity('tickets')
@Check('chk_tickets_code', `ticket_code ~ '^TKT-[0-9]{8}-[A-Z0-9]{8}$'`)
@Check('chk_tickets_used_at', `(status = 'used') = (used_at IS NOT NULL)`)
export class TicketEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('idx_tickets_booking')
  @Column({ name: 'booking_id', type: 'integer' })
  bookingId: number;

  @ManyToOne('BookingEntity', 'tickets', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'booking_id' })
  booking: BookingEntity;

  @Column({ name: 'ticket_code', type: 'varchar', length: 21, unique: true })
  ticketCode: string;

  @Column({ type: 'enum', enum: TicketStatus, enumName: 'ticket_status', default: TicketStatus.Active })
  status: TicketStatus;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
