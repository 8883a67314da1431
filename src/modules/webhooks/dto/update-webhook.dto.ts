import { PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { CreateWebhookDto } from './create-webhook.dto';

/** Any subset of the create fields, and `active`. */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto) {
  /**
   * `false` stops deliveries to the endpoint (they wait, and it gets no new messages); `true`
   * turns it on again, also after the API turned it off, and its waiting deliveries go out.
   */
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
