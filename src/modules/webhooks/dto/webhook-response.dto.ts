import { ApiProperty } from '@nestjs/swagger';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import { EVENT_TYPES, WebhookEventType } from '../webhook-event-type';

export class WebhookResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ maxLength: 2000, format: 'uri', example: 'https://shop.example.com/hooks/ticketing' })
  url: string;
  @ApiProperty({
    enum: WebhookEventType,
    enumName: 'WebhookEventType',
    isArray: true,
    maxItems: EVENT_TYPES,
    example: [WebhookEventType.BookingConfirmed, WebhookEventType.BookingCancelled],
  })
  events: WebhookEventType[];
  @ApiProperty({ type: String, nullable: true, maxLength: 500, example: 'Order sync' })
  description: string | null;
  /** Whether the endpoint gets messages; the API turns off one whose deliveries keep failing. */
  active: boolean;
  /** Why the API turned the endpoint off; null while active or when an admin turned it off. */
  @ApiProperty({ type: String, nullable: true, maxLength: 1000, example: null })
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The endpoint as created, with the one time its secret is shown. */
export class CreatedWebhookResponseDto extends WebhookResponseDto {
  /**
   * The key messages are signed with (Standard Webhooks: `webhook-signature: v1,<base64
   * HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`); shown only in this response.
   * @example whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD
   */
  @ApiProperty({ pattern: '^whsec_[A-Za-z0-9+/]+=*$', maxLength: 50 })
  secret: string;
}

export function toWebhookResponse(endpoint: WebhookEndpointEntity): WebhookResponseDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    active: endpoint.active,
    disabled_reason: endpoint.disabledReason,
    created_at: endpoint.createdAt,
    updated_at: endpoint.updatedAt,
  };
}
