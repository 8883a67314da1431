import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A payment provider's event (a Stripe webhook event, or an intent read back), stored in the
 * transaction of its effect: its id is the key that makes it acted on once, however often it
 * arrives. `outcome` says what it did.
 */
@Entity('provider_events')
@Index('idx_provider_events_order', ['orderId'])
export class ProviderEventEntity {
  /** Stripe's event id (`evt_...`), or `read-back:<intent id>` for an intent read back. */
  @PrimaryColumn({ type: 'varchar', length: 255 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  type: string;

  @Column({ name: 'order_id', type: 'integer', nullable: true })
  orderId: number | null;

  @Column({ type: 'varchar', length: 255 })
  outcome: string;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
