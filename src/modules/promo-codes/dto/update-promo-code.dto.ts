import { PartialType } from '@nestjs/swagger';
import { CreatePromoCodeDto } from './create-promo-code.dto';

/**
 * Any subset of the create fields; `ticket_type_ids`, `max_uses`, `valid_from` and `valid_until`
 * may be sent as `null` to lift them.
 */
export class UpdatePromoCodeDto extends PartialType(CreatePromoCodeDto, { skipNullProperties: false }) {}
