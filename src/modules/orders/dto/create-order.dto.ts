import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches, ValidateNested } from 'class-validator';
import { IsInteger } from '../../../common/http/integer.decorator';
import { Omittable } from '../../../common/http/omittable.decorator';
import { PROMO_CODE_PATTERN } from '../../promo-codes/dto/create-promo-code.dto';

/** Orders that work on the sample data, a customer's first, for the docs. */
export const ORDER_EXAMPLES = {
  customer: {
    summary: 'One general admission seat and two Student seats for the caller',
    value: { event_id: 2, lines: [{ quantity: 1 }, { ticket_type_id: 7, quantity: 2 }] },
  },
  promoCode: {
    summary: 'Two Student seats with the 20% student code',
    value: { event_id: 2, lines: [{ ticket_type_id: 7, quantity: 2 }], promo_code: 'STUDENT20' },
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

  /**
   * A promo code of the event, in any case: it discounts the lines of its ticket types, and is
   * the one way to buy a hidden type it names.
   * @example STUDENT20
   */
  @ApiProperty({ minLength: 3, maxLength: 64, pattern: PROMO_CODE_PATTERN.source })
  @Omittable()
  @IsString()
  @Matches(PROMO_CODE_PATTERN, { message: 'promo_code must be 3 to 64 letters, digits, _ or -' })
  promo_code?: string;
}
