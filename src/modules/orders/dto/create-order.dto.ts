import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { IsInteger } from '../../../common/http/integer.decorator';
import { Omittable } from '../../../common/http/omittable.decorator';

/** Orders that work on the sample data, a customer's first, for the docs. */
export const ORDER_EXAMPLES = {
  customer: {
    summary: 'One general admission seat and two Student seats for the caller',
    value: { event_id: 2, lines: [{ quantity: 1 }, { ticket_type_id: 7, quantity: 2 }] },
  },
  admin: {
    summary: 'An admin ordering for a customer',
    value: { user_id: 2, event_id: 1, lines: [{ ticket_type_id: 6, quantity: 2 }] },
  },
};

export class OrderLineInputDto {
  /** A ticket type of the event; defaults to the event's default type. Each line another type. */
  @Omittable()
  @IsInteger(1)
  ticket_type_id?: number;

  /** @example 2 */
  @IsInteger(1, 100)
  quantity: number;
}

export class CreateOrderDto {
  /** Whom the order is for; defaults to the caller. Only an admin may order for someone else. */
  @Omittable()
  @IsInteger(1)
  user_id?: number;

  @IsInteger(1)
  event_id: number;

  /** 1 to 20 lines, each of another ticket type; their quantities add up to at most the per-booking maximum. */
  @ApiProperty({ type: [OrderLineInputDto], minItems: 1, maxItems: 20 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => OrderLineInputDto)
  lines: OrderLineInputDto[];
}
