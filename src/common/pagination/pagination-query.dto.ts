import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIntegerQuery } from '../http/integer.decorator';

export class PaginationQueryDto {
  /** Page size. */
  @ApiPropertyOptional()
  @IsIntegerQuery(1, 100)
  limit: number = 50;

  /** Items to skip. */
  @ApiPropertyOptional()
  @IsIntegerQuery(0)
  offset: number = 0;
}

/** A page of items and the number of items in all pages, sent as `X-Total-Count`. */
export interface Page<T> {
  items: T[];
  total: number;
}

export function mapPage<T, U>({ items, total }: Page<T>, map: (item: T) => U): Page<U> {
  return { items: items.map(map), total };
}
