import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export class PaginationQueryDto {
  /** Page size. */
  @ApiPropertyOptional({ type: 'integer' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;

  /** Items to skip. */
  @ApiPropertyOptional({ type: 'integer' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
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
