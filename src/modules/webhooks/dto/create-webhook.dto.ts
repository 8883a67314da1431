import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { Trim } from '../../../common/http/trim.decorator';
import { EVENT_TYPES, WebhookEventType } from '../webhook-event-type';

export class CreateWebhookDto {
  /**
   * Where messages are POSTed: `https`, resolving to a public address (checked again at every
   * attempt; redirects are not followed). `WEBHOOK_ALLOW_PRIVATE_URLS=true` also accepts `http`
   * and private addresses.
   * @example https://shop.example.com/hooks/ticketing
   */
  @ApiProperty({ format: 'uri' })
  @Trim()
  @IsString()
  @Length(1, 2000)
  url: string;

  /** The event types the endpoint receives. */
  @ApiProperty({
    enum: WebhookEventType,
    enumName: 'WebhookEventType',
    isArray: true,
    minItems: 1,
    maxItems: EVENT_TYPES,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPES)
  @ArrayUnique()
  @IsEnum(WebhookEventType, { each: true })
  events: WebhookEventType[];

  /** @example Shop: send tickets by email */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}
