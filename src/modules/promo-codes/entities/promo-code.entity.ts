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

/** How a promo code takes money off each ticket of its types. */
export enum DiscountType {
  /** An integer 1–100 percent off. */
  Percent = 'percent',
  /** This much money off. */
  Amount = 'amount',
  /** The ticket at this price. */
  Price = 'price',
}

/**
 * A code an order may carry for a discount on the tickets of its ticket types (all, or those
 * named), and the one way to buy a hidden type. `uses` counts the tickets of pending and paid
 * orders that used it; the SeatLedger counts them in the statement that holds the order's seats,
 * under this row's lock, and the database refuses more than `max_uses` (chk_promo_codes_uses).
 * Codes are unique per event whatever their case (uq_promo_codes_event_code, made by the
 * migration on `lower(code)`).
 */
@Entity('promo_codes')
@Index('uq_promo_codes_event_code', { synchronize: false })
@Check('chk_promo_codes_uses', `uses >= 0 AND uses <= max_uses`)
@Check(
  'chk_promo_codes_value',
  `discount_value >= 0 AND (discount_type <> 'percent' OR discount_value BETWEEN 1 AND 100)`,
)
export class PromoCodeEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'event_id', type: 'integer' })
  eventId: number;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event: EventEntity;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ name: 'discount_type', type: 'enum', enum: DiscountType, enumName: 'discount_type' })
  discountType: DiscountType;

  /** Decimal string: the percent, the money off or the price, per ticket. */
  @Column({ name: 'discount_value', type: 'numeric', precision: 10, scale: 2 })
  discountValue: string;

  /** The ticket types it discounts (and, when hidden, unlocks); null: every type that is not hidden. */
  @Column({ name: 'ticket_type_ids', type: 'integer', array: true, nullable: true })
  ticketTypeIds: number[] | null;

  /** At most this many tickets in pending and paid orders; null: no limit. */
  @Column({ name: 'max_uses', type: 'integer', nullable: true })
  maxUses: number | null;

  @Column({ type: 'integer', default: 0 })
  uses: number;

  @Column({ name: 'valid_from', type: 'timestamptz', nullable: true })
  validFrom: Date | null;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
