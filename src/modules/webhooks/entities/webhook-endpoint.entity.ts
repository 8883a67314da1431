import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { WebhookEventType } from '../webhook-event-type';

/** A receiver of webhook messages: the event types it subscribes to, and the secret they are signed with. */
@Entity('webhook_endpoints')
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  events: WebhookEventType[];

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** `whsec_` and the base64 of 32 random bytes, as the Standard Webhooks specification writes it. */
  @Column({ type: 'text', select: false })
  secret: string;

  /** Only an active endpoint gets new messages and deliveries; one that keeps failing is turned off. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Why the API turned the endpoint off; null while active or turned off by an admin. */
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
