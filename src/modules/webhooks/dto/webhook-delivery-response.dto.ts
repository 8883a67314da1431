import { ApiProperty } from '@nestjs/swagger';
import { DeliveryStatus, WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookEventType } from '../webhook-event-type';
import { MAX_ERROR_LENGTH } from '../webhook-sender';

/** One message's way to one endpoint. */
export class WebhookDeliveryResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  /** The message: its `webhook-id` header and body `id`, the same on every attempt. */
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '0193c6f1-2a4b-7c3d-9e8f-1a2b3c4d5e6f' })
  message_id: string;
  @ApiProperty({ enum: WebhookEventType, enumName: 'WebhookEventType' })
  event_type: WebhookEventType;
  @ApiProperty({ enum: DeliveryStatus, enumName: 'WebhookDeliveryStatus', example: DeliveryStatus.Delivered })
  status: DeliveryStatus;
  @ApiProperty({ type: 'integer', example: 1 })
  attempts: number;
  /** The HTTP status of the last attempt; null before one, or when it got no answer. */
  @ApiProperty({ type: 'integer', nullable: true, example: 204 })
  last_status_code: number | null;
  /** Why the last attempt failed; null when it succeeded or none was made. */
  @ApiProperty({ type: String, nullable: true, maxLength: MAX_ERROR_LENGTH, example: null })
  last_error: string | null;
  /** When a pending delivery is tried next; null once delivered or failed. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toWebhookDeliveryResponse(delivery: WebhookDeliveryEntity): WebhookDeliveryResponseDto {
  return {
    id: delivery.id,
    message_id: delivery.messageId,
    event_type: delivery.message.type,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    next_attempt_at: delivery.nextAttemptAt,
    created_at: delivery.createdAt,
    updated_at: delivery.updatedAt,
  };
}
