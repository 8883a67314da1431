import { IsEnum } from 'class-validator';
import { Omittable } from '../../../common/http/omittable.decorator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { EventStatus } from '../entities/event.entity';

export class ListEventsQueryDto extends PaginationQueryDto {
  @Omittable()
  @IsEnum(EventStatus)
  status?: EventStatus;
}
