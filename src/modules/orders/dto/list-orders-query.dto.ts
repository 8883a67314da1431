import { IsEnum } from 'class-validator';
import { Omittable } from '../../../common/http/omittable.decorator';
import { PaginationQueryDto } from '../../../common/pagination/pagination-query.dto';
import { OrderStatus } from '../entities/order.entity';

export class ListOrdersQueryDto extends PaginationQueryDto {
  /** Only orders in this status. */
  @Omittable()
  @IsEnum(OrderStatus)
  status?: OrderStatus;
}
