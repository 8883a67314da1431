import { PartialType } from '@nestjs/swagger';
import { CreateEventDto } from './create-event.dto';

/** Any subset of the create fields. */
export class UpdateEventDto extends PartialType(CreateEventDto) {}
