import { PartialType } from '@nestjs/swagger';
import { CreateTicketTypeDto } from './create-ticket-type.dto';

/** Any subset of the create fields; `quota: null` lifts the quota. */
export class UpdateTicketTypeDto extends PartialType(CreateTicketTypeDto, { skipNullProperties: false }) {}
