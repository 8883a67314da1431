import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { WebhookEventType } from '../webhook-event-type';

/**
 * One change reported to the endpoints subscribed to its type when it was made, written in the
 * transaction of the change (see outboxMessages). Never changes; its deliveries carry the state.
 */
@Entity('webhook_messages')
export class WebhookMessageEntity {
  /** The `webhook-id` header and the body's `id`: the same on every attempt, for receivers to deduplicate. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  type: WebhookEventType;

  /** What changed, as `booking/12`: messages of one resource reach each endpoint in the order they were made. */
  @Column({ type: 'text' })
  resource: string;

  /** The object as the API returns it, as it was after the change; `json` keeps its fields' order. */
  @Column({ type: 'json' })
  data: object;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
