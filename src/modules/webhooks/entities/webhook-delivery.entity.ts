import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookMessageEntity } from './webhook-message.entity';

/** `pending` until a 2xx answers it (`delivered`) or its attempts run out (`failed`); a redelivery makes it pending again. */
export enum DeliveryStatus {
  Pending = 'pending',
  Delivered = 'delivered',
  Failed = 'failed',
}

/**
 * One message on its way to one endpoint. The id orders an endpoint's deliveries as their
 * messages were made: a delivery waits while an earlier one of the same resource is pending.
 */
@Entity('webhook_deliveries')
@Index('idx_webhook_deliveries_endpoint', ['endpointId', 'id'])
@Index('idx_webhook_deliveries_pending', ['id'], { where: `status = 'pending'` })
@Index('idx_webhook_deliveries_pending_resource', ['endpointId', 'resource', 'id'], { where: `status = 'pending'` })
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'endpoint_id', type: 'integer' })
  endpointId: number;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint: WebhookEndpointEntity;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId: string;

  @ManyToOne(() => WebhookMessageEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id' })
  message: WebhookMessageEntity;

  /** The message's resource, kept here so that the order check reads one index. */
  @Column({ type: 'text' })
  resource: string;

  @Column({ type: 'enum', enum: DeliveryStatus, enumName: 'webhook_delivery_status', default: DeliveryStatus.Pending })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** The HTTP status of the last attempt; null before one, or when it got no answer. */
  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode: number | null;

  /** Why the last attempt failed, when it got no answer or a non-2xx one. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** When a pending delivery is tried next (during an attempt: when it may be taken again); null once ended. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true, default: () => 'now()' })
  nextAttemptAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
