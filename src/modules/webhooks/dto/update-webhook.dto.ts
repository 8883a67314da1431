import { PartialType } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { Omittable } from '../../../common/http/omittable.decorator';
import { CreateWebhookDto } from './create-webhook.dto';

/** Any subset of the create fields, and `active`; only `description` may be sent as `null`. */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto, { skipNullProperties: false }) {
  /**
   * `false` stops deliveries to the endpoint (they wait, and it gets no new messages); `true`
   * turns it on again, also after the API turned it off, and its waiting deliveries go out.
   */
  @Omittable()
  @IsBoolean()
  active?: boolean;
}
