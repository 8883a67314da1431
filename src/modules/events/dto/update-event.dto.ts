import { PartialType } from '@nestjs/swagger';
import { CreateEventDto } from './create-event.dto';

/** Any subset of the create fields; only `description` may be sent as `null`. */
export class UpdateEventDto extends PartialType(CreateEventDto, { skipNullProperties: false }) {}
